import { type MediaDescription, parse, type SessionDescription } from 'sdp-transform';
import { WebRtcPeerError } from './errors.js';

/** Which half of an offer/answer exchange an SDP is. */
export type SdpType = 'offer' | 'answer';

/** One m= section of an SDP, reduced to what negotiation logic and tests look at. */
export interface MediaSection {
  /** The section's `a=mid`, which transceivers and candidates (`sdpMid`) refer to. */
  mid: string | undefined;
  /** The media type of the m= line: `audio`, `video` or `application` (data channels). */
  kind: string;
  /** `inactive` also when the section was rejected (port 0). */
  direction: RTCRtpTransceiverDirection;
  /** The ICE username fragment (the section's, else the session's); it changes on ICE restart. */
  iceUfrag: string | undefined;
}

/**
 * Checks that `sdp` is an SDP a browser can apply, before handing it to `setRemoteDescription`,
 * whose own errors ("Failed to parse SessionDescription") do not say what the caller got wrong.
 * `localOffer` is our pending offer when `sdp` is meant to answer it.
 */
export function parseRemoteSdp(
  sdp: unknown,
  type: SdpType,
  localOffer?: string,
): SessionDescription {
  if (typeof sdp !== 'string' || sdp.trim() === '') {
    throw malformed(type, `expected the SDP text as a non-empty string, got ${typeName(sdp)}`);
  }
  if (!sdp.trimStart().startsWith('v=0')) {
    throw malformed(type, 'it does not start with "v=0", so it is not SDP');
  }
  const session = parse(sdp);
  if (session.media.length === 0) throw malformed(type, 'it has no m= section');
  session.media.forEach((media, index) => {
    if (media.port !== 0 && !(media.iceUfrag ?? session.iceUfrag)) {
      throw malformed(type, `m= section ${index} (${media.type}) has no a=ice-ufrag`);
    }
  });
  if (localOffer !== undefined) {
    const offered = parse(localOffer).media.length;
    if (offered !== session.media.length) {
      throw malformed(
        type,
        `it has ${session.media.length} m= sections but the offer has ${offered}; an answer must answer every offered section, in order`,
      );
    }
  }
  return session;
}

/** The m= sections of an SDP (text or parsed by sdp-transform), in order. */
export function mediaSections(sdp: string | SessionDescription): MediaSection[] {
  const session = typeof sdp === 'string' ? parse(sdp) : sdp;
  return session.media.map((media) => ({
    mid: media.mid === undefined ? undefined : String(media.mid),
    kind: media.type,
    direction: media.port === 0 ? 'inactive' : directionOf(media, session),
    iceUfrag: media.iceUfrag ?? session.iceUfrag,
  }));
}

function directionOf(
  media: MediaDescription,
  session: SessionDescription,
): RTCRtpTransceiverDirection {
  return media.direction ?? session.direction ?? 'sendrecv';
}

function malformed(type: SdpType, reason: string): WebRtcPeerError {
  const fix =
    type === 'answer'
      ? 'Pass the sdpAnswer text the remote peer (or media server) returned for this offer.'
      : 'Pass the sdpOffer text the remote peer (or media server) generated.';
  return new WebRtcPeerError('NEGOTIATION_FAILED', `Invalid SDP ${type}: ${reason}. ${fix}`);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object' && 'sdp' in value) return 'an object with an sdp field (pass .sdp)';
  return typeof value === 'string' ? 'an empty string' : typeof value;
}
