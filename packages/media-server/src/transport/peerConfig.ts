import { isIP } from 'node:net';
import {
  type PeerConfig,
  type RTCPeerConnection,
  RTCRtpCodecParameters,
  useAbsSendTime,
  useRepairedRtpStreamId,
  useSdesMid,
  useSdesRTPStreamId,
} from 'werift';
import { CODEC_RULES, RTCP_FEEDBACK } from './codecPolicy.js';
import { WebRtcTransportError } from './errors.js';
import type { IceServer, WebRtcTransportOptions } from './types.js';

/** werift's configuration for the options of a transport. */
export function createPeerConfig(options: WebRtcTransportOptions): Partial<PeerConfig> {
  const config: Partial<PeerConfig> = {
    codecs: { audio: codecsOf('audio'), video: codecsOf('video') },
    // No transport-wide-cc extension: see RTCP_FEEDBACK for why the server does not use it.
    headerExtensions: {
      audio: [useSdesMid(), useAbsSendTime()],
      video: [useSdesMid(), useAbsSendTime(), useSdesRTPStreamId(), useRepairedRtpStreamId()],
    },
    iceServers: toWeriftIceServers(options.iceServers ?? []),
    iceUseIpv4: true,
    iceUseIpv6: options.useIpv6 ?? false,
    bundlePolicy: 'max-bundle',
  };
  if (options.additionalHostAddresses?.length) {
    config.iceAdditionalHostAddresses = [...options.additionalHostAddresses];
  }
  if (options.portRange) config.icePortRange = validatePortRange(options.portRange);
  return config;
}

/** werift's `iceServers` configuration. */
export function toWeriftIceServers(servers: readonly IceServer[]): PeerConfig['iceServers'] {
  return servers.map((server) => ({
    urls: typeof server.urls === 'string' ? server.urls : [...server.urls],
    ...(server.username !== undefined ? { username: server.username } : {}),
    ...(server.credential !== undefined ? { credential: server.credential } : {}),
  }));
}

/**
 * werift's ICE agent queries stun.l.google.com whenever no STUN server is configured, even with
 * `iceServers: []`, and candidate gathering then waits for that answer (seconds where DNS does
 * not resolve). The agent reads its `stunServer` field when gathering, so clearing it on every
 * ICE transport before `setLocalDescription` keeps the server from contacting any host it was
 * not told about.
 */
export function disableImplicitStun(
  peerConnection: RTCPeerConnection,
  iceServers: readonly IceServer[],
): void {
  if (hasStunServer(iceServers)) return;
  for (const iceTransport of peerConnection.iceTransports)
    iceTransport.connection.stunServer = undefined;
}

/**
 * Answers with `a=setup:passive`, so that the server is the DTLS server and chooses the SRTP
 * profile: werift prefers AEAD_AES_128_GCM, the profile the direct send path encrypts with
 * (see DirectRtpSender), where Chromium as the DTLS server picks AES-CM with HMAC-SHA1. werift
 * would otherwise answer `active`. Call after applying the offer, before creating the answer.
 */
export function answerAsDtlsServer(peerConnection: RTCPeerConnection): void {
  for (const dtlsTransport of peerConnection.dtlsTransports) {
    if (dtlsTransport.role === 'auto') dtlsTransport.role = 'server';
  }
}

/** Addresses to announce must be IP literals: candidates carry no names. */
export function validateAnnouncedAddresses(addresses: readonly string[]): readonly string[] {
  const invalid = addresses.filter((address) => isIP(address) === 0);
  if (invalid.length > 0) {
    throw new WebRtcTransportError(
      'INVALID_OPTIONS',
      `Announced addresses must be IPv4 or IPv6 literals; got ${invalid.map((address) => `"${address}"`).join(', ')}.`,
    );
  }
  return addresses;
}

function hasStunServer(iceServers: readonly IceServer[]): boolean {
  return iceServers.some((server) =>
    (typeof server.urls === 'string' ? [server.urls] : server.urls).some((url) =>
      /^stuns?:/i.test(url),
    ),
  );
}

function codecsOf(kind: 'audio' | 'video'): RTCRtpCodecParameters[] {
  return CODEC_RULES.filter((rule) => rule.kind === kind).map(
    (rule) =>
      new RTCRtpCodecParameters({
        mimeType: `${kind}/${rule.name}`,
        clockRate: rule.clockRate,
        payloadType: rule.payloadType,
        ...(rule.channels !== undefined ? { channels: rule.channels } : {}),
        ...(rule.parameters !== undefined ? { parameters: rule.parameters } : {}),
        rtcpFeedback: kind === 'video' ? RTCP_FEEDBACK.map((feedback) => ({ ...feedback })) : [],
      }),
  );
}

function validatePortRange(range: { min: number; max: number }): [number, number] {
  const { min, max } = range;
  const isPort = (port: number) => Number.isInteger(port) && port >= 1 && port <= 65535;
  // werift rejects min === max, so a range must hold at least two ports.
  if (!isPort(min) || !isPort(max) || min >= max) {
    throw new WebRtcTransportError(
      'INVALID_OPTIONS',
      `portRange {min: ${min}, max: ${max}} is invalid: use two ports 1-65535 with min < max.`,
    );
  }
  return [min, max];
}
