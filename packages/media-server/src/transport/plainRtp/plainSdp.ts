/**
 * SDP as plain-RTP tools write and read it (ffmpeg, GStreamer, SIP gateways): one `c=` address,
 * one `m=` line per medium with `rtpmap`/`fmtp`, RTCP on the next port or `a=rtcp`/`a=rtcp-mux`,
 * and for SRTP an `a=crypto` line (SDES). No ICE, no DTLS, no bundling.
 */

/** Which way media flows, from the point of view of the side that wrote the SDP. */
export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** One codec of an `m=` line. */
export interface SdpCodec {
  readonly payloadType: number;
  /** The encoding name as written (`H264`, `opus`, `PCMU`). */
  readonly name: string;
  readonly clockRate: number;
  readonly channels?: number;
  /** The `a=fmtp` parameters, if any. */
  readonly parameters?: string;
  /** `a=rtcp-fb` values for this payload type, e.g. `nack pli`, `ccm fir`. */
  readonly feedback: readonly string[];
}

/** One `m=` line with what it says. */
export interface SdpMedia {
  readonly kind: string;
  /** 0 for a rejected or disabled medium. */
  readonly port: number;
  /** `RTP/AVP`, `RTP/SAVP`, `RTP/AVPF`, `RTP/SAVPF`, … */
  readonly protocol: string;
  /** The connection address (the medium's `c=`, else the session's), if any. */
  readonly address: string | undefined;
  /** Where the writer takes RTCP (`a=rtcp`, else port + 1, or the RTP port with rtcp-mux). */
  readonly rtcpPort: number;
  readonly rtcpMux: boolean;
  readonly direction: SdpDirection;
  readonly codecs: readonly SdpCodec[];
  /** The values of its `a=crypto` lines, as written. */
  readonly crypto: readonly string[];
  readonly mid: string | undefined;
}

/** A parsed session description. */
export interface SdpSession {
  readonly media: readonly SdpMedia[];
}

/** Thrown for SDP that cannot be read; the message says which line and why. */
export class SdpSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SdpSyntaxError';
  }
}

/** RFC 3551's static payload types that plain-RTP peers send without an rtpmap. */
const STATIC_PAYLOAD_TYPES: Readonly<Record<number, Omit<SdpCodec, 'payloadType' | 'feedback'>>> = {
  0: { name: 'PCMU', clockRate: 8000 },
  8: { name: 'PCMA', clockRate: 8000 },
  9: { name: 'G722', clockRate: 8000 },
};

const DIRECTIONS: readonly SdpDirection[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

interface MediaDraft {
  kind: string;
  port: number;
  protocol: string;
  formats: number[];
  address: string | undefined;
  rtcpPort: number | undefined;
  rtcpMux: boolean;
  direction: SdpDirection | undefined;
  rtpmaps: Map<number, { name: string; clockRate: number; channels?: number }>;
  fmtps: Map<number, string>;
  feedback: Map<number | '*', string[]>;
  crypto: string[];
  mid: string | undefined;
}

/** Parses an SDP offer or answer. Throws SdpSyntaxError when it is not SDP or an m= is broken. */
export function parseSdp(text: string): SdpSession {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines[0] !== 'v=0') {
    throw new SdpSyntaxError(`SDP must start with 'v=0', got '${(lines[0] ?? '').slice(0, 40)}'`);
  }
  let sessionAddress: string | undefined;
  let sessionDirection: SdpDirection | undefined;
  const drafts: MediaDraft[] = [];
  for (const line of lines) {
    if (!/^[a-z]=/.test(line)) throw new SdpSyntaxError(`Not an SDP line: '${line.slice(0, 60)}'`);
    const type = line[0];
    const value = line.slice(2);
    const current = drafts.at(-1);
    if (type === 'm') {
      drafts.push(parseMediaLine(value));
    } else if (type === 'c') {
      const address = parseConnection(value);
      if (current) current.address = address;
      else sessionAddress = address;
    } else if (type === 'a') {
      const direction = DIRECTIONS.find((name) => value === name);
      if (direction && !current) sessionDirection = direction;
      else if (current) applyAttribute(current, value);
    }
  }
  if (drafts.length === 0)
    throw new SdpSyntaxError('SDP has no m= line: nothing to send or receive');
  return {
    media: drafts.map((draft) => finishMedia(draft, sessionAddress, sessionDirection)),
  };
}

function parseMediaLine(value: string): MediaDraft {
  const [kind, portText, protocol, ...formats] = value.split(/\s+/);
  const port = Number((portText ?? '').split('/')[0]);
  if (!kind || !protocol || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SdpSyntaxError(
      `Malformed m= line 'm=${value}': expected 'm=<media> <port> <proto> <fmt>…'`,
    );
  }
  const payloadTypes = protocol.includes('RTP')
    ? formats.map((format) => {
        const payloadType = Number(format);
        if (!Number.isInteger(payloadType) || payloadType < 0 || payloadType > 127) {
          throw new SdpSyntaxError(`m=${kind} lists '${format}', which is not an RTP payload type`);
        }
        return payloadType;
      })
    : [];
  return {
    kind,
    port,
    protocol,
    formats: payloadTypes,
    address: undefined,
    rtcpPort: undefined,
    rtcpMux: false,
    direction: undefined,
    rtpmaps: new Map(),
    fmtps: new Map(),
    feedback: new Map(),
    crypto: [],
    mid: undefined,
  };
}

function parseConnection(value: string): string {
  const [network, addressType, address] = value.split(/\s+/);
  if (network !== 'IN' || (addressType !== 'IP4' && addressType !== 'IP6') || !address) {
    throw new SdpSyntaxError(`Malformed c= line 'c=${value}': expected 'c=IN IP4 <address>'`);
  }
  return address.split('/')[0] as string;
}

function applyAttribute(media: MediaDraft, value: string): void {
  const colon = value.indexOf(':');
  const name = colon < 0 ? value : value.slice(0, colon);
  const rest = colon < 0 ? '' : value.slice(colon + 1).trim();
  switch (name) {
    case 'sendrecv':
    case 'sendonly':
    case 'recvonly':
    case 'inactive':
      media.direction = name;
      return;
    case 'rtcp-mux':
      media.rtcpMux = true;
      return;
    case 'rtcp': {
      const port = Number(rest.split(/\s+/)[0]);
      if (Number.isInteger(port) && port > 0 && port <= 65535) media.rtcpPort = port;
      return;
    }
    case 'rtpmap': {
      const match = /^(\d+)\s+([^/\s]+)\/(\d+)(?:\/(\d+))?/.exec(rest);
      if (!match) throw new SdpSyntaxError(`Malformed a=rtpmap '${rest}'`);
      const [, payloadType, codecName, clockRate, channels] = match;
      media.rtpmaps.set(Number(payloadType), {
        name: codecName as string,
        clockRate: Number(clockRate),
        ...(channels !== undefined ? { channels: Number(channels) } : {}),
      });
      return;
    }
    case 'fmtp': {
      const match = /^(\d+)\s+(.*)$/.exec(rest);
      if (match) media.fmtps.set(Number(match[1]), (match[2] as string).trim());
      return;
    }
    case 'rtcp-fb': {
      const match = /^(\d+|\*)\s+(.+)$/.exec(rest);
      if (!match) return;
      const key = match[1] === '*' ? '*' : Number(match[1]);
      media.feedback.set(key, [...(media.feedback.get(key) ?? []), (match[2] as string).trim()]);
      return;
    }
    case 'crypto':
      media.crypto.push(rest);
      return;
    case 'mid':
      media.mid = rest;
      return;
  }
}

function finishMedia(
  draft: MediaDraft,
  sessionAddress: string | undefined,
  sessionDirection: SdpDirection | undefined,
): SdpMedia {
  const codecs: SdpCodec[] = [];
  for (const payloadType of draft.formats) {
    const known = draft.rtpmaps.get(payloadType) ?? STATIC_PAYLOAD_TYPES[payloadType];
    if (!known) continue;
    const parameters = draft.fmtps.get(payloadType);
    codecs.push({
      payloadType,
      ...known,
      ...(parameters ? { parameters } : {}),
      feedback: [...(draft.feedback.get('*') ?? []), ...(draft.feedback.get(payloadType) ?? [])],
    });
  }
  return {
    kind: draft.kind,
    port: draft.port,
    protocol: draft.protocol,
    address: draft.address ?? sessionAddress,
    rtcpPort: draft.rtcpMux ? draft.port : (draft.rtcpPort ?? draft.port + 1),
    rtcpMux: draft.rtcpMux,
    direction: draft.direction ?? sessionDirection ?? 'sendrecv',
    codecs,
    crypto: draft.crypto,
    mid: draft.mid,
  };
}

/** What one `m=` line of our own SDP says. */
export interface LocalMedia {
  readonly kind: string;
  /** 0 rejects the medium (an answer to one we cannot take). */
  readonly port: number;
  readonly protocol: string;
  readonly codecs: readonly SdpCodec[];
  readonly direction: SdpDirection;
  readonly rtcpPort: number;
  readonly rtcpMux: boolean;
  /** The `a=crypto` value (without `crypto:`), for RTP/SAVP. */
  readonly crypto?: string;
  readonly mid?: string;
  /** The formats of a rejected medium, echoed from the offer. */
  readonly rejectedFormats?: readonly number[];
}

/** Writes an SDP offer or answer with one address for every medium. */
export function writeSdp(options: {
  readonly address: string;
  readonly sessionId: string;
  readonly version: number;
  readonly media: readonly LocalMedia[];
}): string {
  const family = options.address.includes(':') ? 'IP6' : 'IP4';
  const lines = [
    'v=0',
    `o=- ${options.sessionId} ${options.version} IN ${family} ${options.address}`,
    's=Medley RtpEndpoint',
    `c=IN ${family} ${options.address}`,
    't=0 0',
  ];
  for (const media of options.media) {
    const formats =
      media.port === 0 && media.codecs.length === 0
        ? (media.rejectedFormats ?? [0])
        : media.codecs.map((codec) => codec.payloadType);
    lines.push(`m=${media.kind} ${media.port} ${media.protocol} ${formats.join(' ')}`);
    if (media.port === 0) continue;
    if (media.mid !== undefined) lines.push(`a=mid:${media.mid}`);
    for (const codec of media.codecs) {
      const channels = codec.channels && codec.channels > 1 ? `/${codec.channels}` : '';
      lines.push(`a=rtpmap:${codec.payloadType} ${codec.name}/${codec.clockRate}${channels}`);
      if (codec.parameters) lines.push(`a=fmtp:${codec.payloadType} ${codec.parameters}`);
      for (const feedback of codec.feedback) {
        lines.push(`a=rtcp-fb:${codec.payloadType} ${feedback}`);
      }
    }
    lines.push(media.rtcpMux ? 'a=rtcp-mux' : `a=rtcp:${media.rtcpPort}`);
    if (media.crypto) lines.push(`a=crypto:${media.crypto}`);
    lines.push(`a=${media.direction}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The direction an answer (or the other side) has for a medium `offered` this way. */
export function reverseDirection(offered: SdpDirection): SdpDirection {
  if (offered === 'sendonly') return 'recvonly';
  if (offered === 'recvonly') return 'sendonly';
  return offered;
}
