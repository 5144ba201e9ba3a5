import { fmtpParameter, type MediaCodec } from '../graph/index.js';

/**
 * The codecs this server negotiates, in its order of preference, and the RTCP feedback it
 * handles. Media is forwarded as it arrives where both sides share a codec; otherwise the
 * processing plane transcodes between these codecs.
 */
export interface CodecRule {
  readonly kind: 'audio' | 'video';
  readonly name: string;
  readonly clockRate: number;
  readonly channels?: number;
  /** Payload type used when the server makes the offer. */
  readonly payloadType: number;
  readonly parameters?: string;
  /** Whether an offered codec with these fmtp parameters can be taken. */
  readonly accepts: (fmtp: string | undefined) => boolean;
}

export const CODEC_RULES: readonly CodecRule[] = [
  { kind: 'video', name: 'VP8', clockRate: 90000, payloadType: 96, accepts: () => true },
  {
    kind: 'video',
    name: 'VP9',
    clockRate: 90000,
    payloadType: 98,
    parameters: 'profile-id=0',
    accepts: (fmtp) => (fmtpParameter(fmtp, 'profile-id') ?? '0') === '0',
  },
  {
    kind: 'video',
    name: 'H264',
    clockRate: 90000,
    payloadType: 102,
    parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    // Constrained baseline in non-interleaved mode: what every browser encodes and decodes.
    accepts: (fmtp) =>
      fmtpParameter(fmtp, 'packetization-mode') === '1' &&
      (fmtpParameter(fmtp, 'profile-level-id') ?? '').toLowerCase().startsWith('42e0'),
  },
  {
    kind: 'audio',
    name: 'opus',
    clockRate: 48000,
    channels: 2,
    payloadType: 111,
    parameters: 'minptime=10;useinbandfec=1',
    accepts: () => true,
  },
  // G.711, for peers that offer nothing better (SIP gateways, a browser restricted to it); a
  // browser that also offers Opus gets Opus, listed first.
  { kind: 'audio', name: 'PCMU', clockRate: 8000, payloadType: 0, accepts: () => true },
  { kind: 'audio', name: 'PCMA', clockRate: 8000, payloadType: 8, accepts: () => true },
];

/**
 * RTCP feedback kept in answers and put in offers: what werift and the graph act on.
 *
 * transport-cc is left out on purpose: werift's transport-wide feedback does not let Chrome's
 * bandwidth estimate grow, so a browser sending to the server stayed at its 300 kbps start rate
 * and scaled 720p down to 360p. Without it Chrome falls back to its loss-based estimate (RTCP
 * receiver reports, which werift sends) and reached 2.5 Mbps for 720p on the same loopback.
 */
export const RTCP_FEEDBACK: readonly { readonly type: string; readonly parameter?: string }[] = [
  { type: 'nack' },
  { type: 'nack', parameter: 'pli' },
  { type: 'ccm', parameter: 'fir' },
  { type: 'goog-remb' },
];

/** The rule a codec of an SDP matches, if the server negotiates it. */
export function findCodecRule(
  kind: string,
  name: string,
  clockRate: number,
  fmtp: string | undefined,
): CodecRule | undefined {
  return CODEC_RULES.find(
    (rule) =>
      rule.kind === kind &&
      rule.name.toLowerCase() === name.toLowerCase() &&
      rule.clockRate === clockRate &&
      rule.accepts(fmtp),
  );
}

export function isSupportedFeedback(type: string, parameter: string | undefined): boolean {
  return RTCP_FEEDBACK.some(
    (feedback) => feedback.type === type && (feedback.parameter ?? '') === (parameter ?? ''),
  );
}

/** A human list of the negotiable codecs for error messages. */
export function describeSupportedCodecs(): string {
  return CODEC_RULES.map((rule) =>
    rule.name === 'H264' ? 'H264 (packetization-mode=1, profile 42e0xx)' : rule.name,
  ).join(', ');
}

/** The graph's view of a negotiated codec. */
export function toMediaCodec(codec: {
  mimeType: string;
  payloadType: number;
  clockRate: number;
  channels?: number;
  parameters?: string;
}): MediaCodec {
  return {
    mimeType: codec.mimeType,
    payloadType: codec.payloadType,
    clockRate: codec.clockRate,
    ...(codec.channels !== undefined ? { channels: codec.channels } : {}),
    ...(codec.parameters ? { parameters: codec.parameters } : {}),
  };
}
