const STUN_HEADER_LENGTH = 20;
const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const USERNAME_ATTRIBUTE = 0x0006;

/** The two ufrags of a Binding request's USERNAME (RFC 8445 §7.2.2: `<receiver>:<sender>`). */
export interface BindingRequestUfrags {
  /** The ufrag of the agent it is addressed to (ours). */
  readonly local: string;
  /** The sender's (the peer's). */
  readonly remote: string;
}

/**
 * The ufrags of a STUN Binding request's USERNAME attribute. Undefined for any other datagram
 * (DTLS, SRTP, STUN responses, garbage). Read without werift's parser: the ICE UDP mux calls it
 * on the first datagram of every unknown source.
 */
export function bindingRequestUfrags(datagram: Buffer): BindingRequestUfrags | undefined {
  if (datagram.length < STUN_HEADER_LENGTH || datagram[0] === undefined || datagram[0] > 3) {
    return undefined;
  }
  if (datagram.readUInt16BE(0) !== BINDING_REQUEST) return undefined;
  if (datagram.readUInt32BE(4) !== MAGIC_COOKIE) return undefined;
  const end = Math.min(datagram.length, STUN_HEADER_LENGTH + datagram.readUInt16BE(2));
  let offset = STUN_HEADER_LENGTH;
  while (offset + 4 <= end) {
    const type = datagram.readUInt16BE(offset);
    const length = datagram.readUInt16BE(offset + 2);
    const valueStart = offset + 4;
    if (valueStart + length > end) return undefined;
    if (type === USERNAME_ATTRIBUTE) {
      const username = datagram.toString('utf8', valueStart, valueStart + length);
      const colon = username.indexOf(':');
      if (colon <= 0) return undefined;
      return { local: username.slice(0, colon), remote: username.slice(colon + 1) };
    }
    offset = valueStart + length + ((4 - (length % 4)) % 4);
  }
  return undefined;
}

/** Whether a datagram is STUN by its first byte (RFC 7983: 0-3; DTLS is 20-63, RTP 128-191). */
export function isStun(datagram: Buffer): boolean {
  const first = datagram[0];
  return first !== undefined && first <= 3;
}
