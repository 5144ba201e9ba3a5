import * as sdpTransform from 'sdp-transform';
import { describeSupportedCodecs, findCodecRule, isSupportedFeedback } from './codecPolicy.js';
import { WebRtcTransportError } from './errors.js';

type MediaDescription = sdpTransform.MediaDescription;

/**
 * Checks a remote SDP and reduces every audio and video section to the codecs and RTCP feedback
 * the server negotiates, so that werift (which matches codecs by name only) can only pick
 * something the graph can forward. Returns the SDP to give werift.
 * @throws WebRtcTransportError SDP_PARSE_ERROR or SDP_NO_ACCEPTABLE_CODEC
 */
export function prepareRemoteDescription(sdp: unknown, type: 'offer' | 'answer'): string {
  const session = parseSession(sdp, type);
  const unusable: string[] = [];
  for (const [index, media] of session.media.entries()) {
    if ((media.type !== 'audio' && media.type !== 'video') || media.port === 0) continue;
    const offered = describeOfferedCodecs(media);
    keepNegotiableCodecs(media);
    if (media.rtp.length === 0)
      unusable.push(`m-line ${index} (${media.type}: ${offered || 'no codecs'})`);
  }
  if (unusable.length > 0) {
    throw new WebRtcTransportError(
      'SDP_NO_ACCEPTABLE_CODEC',
      `The ${type} has no codec this server can use in ${unusable.join('; ')}. ` +
        `Supported: ${describeSupportedCodecs()}. Make the browser offer one of them.`,
    );
  }
  return sdpTransform.write(session);
}

function parseSession(sdp: unknown, type: string): sdpTransform.SessionDescription {
  if (typeof sdp !== 'string' || !sdp.trimStart().startsWith('v=0')) {
    throw parseError(type, 'it must be an SDP text starting with "v=0"');
  }
  let session: sdpTransform.SessionDescription;
  try {
    session = sdpTransform.parse(sdp);
  } catch (error) {
    throw parseError(type, String(error));
  }
  if (!Array.isArray(session.media) || session.media.length === 0) {
    throw parseError(type, 'it has no media section (m= line)');
  }
  for (const [index, media] of session.media.entries()) {
    if (media.port === 0) continue;
    const missing = [
      !(media.iceUfrag ?? session.iceUfrag) && 'a=ice-ufrag',
      !(media.icePwd ?? session.icePwd) && 'a=ice-pwd',
      !(media.fingerprint ?? session.fingerprint) && 'a=fingerprint',
    ].filter(Boolean);
    if (missing.length > 0) {
      throw parseError(
        type,
        `m-line ${index} lacks ${missing.join(', ')} (WebRTC needs ICE and DTLS)`,
      );
    }
    const fingerprint = media.fingerprint ?? session.fingerprint;
    if (fingerprint && !isValidFingerprint(fingerprint.type, fingerprint.hash)) {
      throw parseError(type, `m-line ${index} has a malformed a=fingerprint`);
    }
    const setup = media.setup ?? session.setup;
    if (setup && !DTLS_SETUP_ROLES.has(setup)) {
      throw parseError(
        type,
        `m-line ${index} has a=setup:${setup} (expected actpass, active or passive)`,
      );
    }
    if ((media.type === 'audio' || media.type === 'video') && !Array.isArray(media.rtp)) {
      throw parseError(type, `m-line ${index} has no a=rtpmap lines`);
    }
  }
  return session;
}

const DTLS_SETUP_ROLES = new Set(['actpass', 'active', 'passive']);
const FINGERPRINT_HASHES = new Set(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']);

/** RFC 8122: a known hash name and colon-separated hex bytes. */
function isValidFingerprint(hash: string, value: string): boolean {
  return (
    FINGERPRINT_HASHES.has(hash.toLowerCase()) && /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})+$/.test(value)
  );
}

function keepNegotiableCodecs(media: MediaDescription): void {
  const fmtpOf = (payload: number) => media.fmtp.find((fmtp) => fmtp.payload === payload)?.config;
  const kept = new Set(
    media.rtp
      .filter((codec) =>
        findCodecRule(media.type, codec.codec, codec.rate ?? 0, fmtpOf(codec.payload)),
      )
      .map((codec) => codec.payload),
  );
  media.rtp = media.rtp.filter((codec) => kept.has(codec.payload));
  media.fmtp = media.fmtp.filter((fmtp) => kept.has(fmtp.payload));
  media.rtcpFb = media.rtcpFb?.filter(
    (feedback) =>
      (feedback.payload === '*' || kept.has(Number(feedback.payload))) &&
      isSupportedFeedback(feedback.type, feedback.subtype),
  );
  media.payloads = media.rtp.map((codec) => codec.payload).join(' ');
}

function describeOfferedCodecs(media: MediaDescription): string {
  const names = new Set((media.rtp ?? []).map((codec) => codec.codec));
  for (const aux of ['rtx', 'red', 'ulpfec', 'flexfec-03', 'CN', 'telephone-event'])
    names.delete(aux);
  return [...names].join(', ');
}

function parseError(type: string, reason: string): WebRtcTransportError {
  return new WebRtcTransportError('SDP_PARSE_ERROR', `Cannot use the SDP ${type}: ${reason}.`);
}

/**
 * The negotiated remote offer again, with the peer's new ICE credentials and without its old
 * candidates: what an ICE restart that renegotiates nothing else applies (WHIP's PATCH).
 */
export function withNewIceCredentials(
  sdp: string,
  credentials: { readonly usernameFragment: string; readonly password: string },
): string {
  const session = sdpTransform.parse(sdp);
  const version = Number(session.origin?.sessionVersion ?? 0);
  if (session.origin) session.origin.sessionVersion = version + 1;
  if (session.iceUfrag !== undefined) session.iceUfrag = credentials.usernameFragment;
  if (session.icePwd !== undefined) session.icePwd = credentials.password;
  for (const media of session.media) {
    if (media.port === 0) continue;
    media.iceUfrag = credentials.usernameFragment;
    media.icePwd = credentials.password;
    delete media.candidates;
    delete media.endOfCandidates;
  }
  return sdpTransform.write(session);
}
