/**
 * A negotiated RTP codec, as the graph sees it. Every packet carries a reference to the codec of
 * the session that produced it, so a sink can check it is allowed to send that codec and map the
 * payload type to its own negotiation (the graph never transcodes).
 */
export interface MediaCodec {
  /** `type/subtype` as in SDP and WebRTC stats, e.g. `video/VP8`, `video/H264`, `audio/opus`. */
  readonly mimeType: string;
  /** The payload type this codec has in the session that negotiated it. */
  readonly payloadType: number;
  /** The RTP clock, in Hz (90000 for video, 48000 for Opus). */
  readonly clockRate: number;
  /** Audio channels; absent means 1. */
  readonly channels?: number;
  /** The `a=fmtp` parameters, e.g. `packetization-mode=1;profile-level-id=42e01f`. */
  readonly parameters?: string;
}

/**
 * Whether a stream encoded as `produced` can be sent to a receiver that negotiated `negotiated`
 * without transcoding. Names, clock rates and channel counts must match; H.264 additionally needs
 * the same packetization mode and profile (the level may differ, as decoders accept lower
 * levels), VP9 the same profile.
 */
export function isCodecCompatible(produced: MediaCodec, negotiated: MediaCodec): boolean {
  if (produced.mimeType.toLowerCase() !== negotiated.mimeType.toLowerCase()) return false;
  if (produced.clockRate !== negotiated.clockRate) return false;
  if ((produced.channels ?? 1) !== (negotiated.channels ?? 1)) return false;
  switch (codecName(produced)) {
    case 'H264':
      return isH264Compatible(produced, negotiated);
    case 'VP9':
      return (
        (fmtpValue(produced, 'profile-id') ?? '0') === (fmtpValue(negotiated, 'profile-id') ?? '0')
      );
    default:
      return true;
  }
}

/** The codec name in upper case, e.g. `VP8`, `H264`, `OPUS`. */
export function codecName(codec: MediaCodec): string {
  const slash = codec.mimeType.indexOf('/');
  return codec.mimeType.slice(slash + 1).toUpperCase();
}

/** The value of one `a=fmtp` parameter of a codec, or undefined. */
export function fmtpValue(codec: MediaCodec, name: string): string | undefined {
  return fmtpParameter(codec.parameters, name);
}

/** The value of one parameter in an `a=fmtp` line's `key=value;key=value` text, or undefined. */
export function fmtpParameter(parameters: string | undefined, name: string): string | undefined {
  if (!parameters) return undefined;
  for (const pair of parameters.split(';')) {
    const equals = pair.indexOf('=');
    if (equals < 0) continue;
    if (pair.slice(0, equals).trim().toLowerCase() === name) return pair.slice(equals + 1).trim();
  }
  return undefined;
}

/** A short human description for error messages, e.g. `video/H264 (packetization-mode=1)`. */
export function describeCodec(codec: MediaCodec): string {
  return codec.parameters ? `${codec.mimeType} (${codec.parameters})` : codec.mimeType;
}

function isH264Compatible(produced: MediaCodec, negotiated: MediaCodec): boolean {
  const mode = (codec: MediaCodec) => fmtpValue(codec, 'packetization-mode') ?? '0';
  if (mode(produced) !== mode(negotiated)) return false;
  return h264Profile(produced) === h264Profile(negotiated);
}

/**
 * The H.264 profile of a `profile-level-id`, reduced to what decides decodability: the
 * constrained-baseline streams browsers send (42e0xx, 42c0xx) are also valid baseline (4200xx).
 */
function h264Profile(codec: MediaCodec): string {
  const profileLevelId = (fmtpValue(codec, 'profile-level-id') ?? '42001f').toLowerCase();
  const profileIdc = profileLevelId.slice(0, 2);
  return profileIdc === '42' ? 'baseline' : profileLevelId.slice(0, 4);
}
