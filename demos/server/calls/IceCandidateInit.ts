/** A trickle ICE candidate as browsers and the Kurento Protocol both spell it. */
export interface IceCandidateInit {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}

/** Accepts what a page sent as a candidate, or undefined when it is not one. */
export function parseIceCandidate(value: unknown): IceCandidateInit | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { candidate, sdpMid, sdpMLineIndex } = value as Record<string, unknown>;
  if (typeof candidate !== 'string') return undefined;
  if (sdpMid !== undefined && sdpMid !== null && typeof sdpMid !== 'string') return undefined;
  if (sdpMLineIndex !== undefined && sdpMLineIndex !== null && typeof sdpMLineIndex !== 'number') {
    return undefined;
  }
  return { candidate, sdpMid: sdpMid ?? null, sdpMLineIndex: sdpMLineIndex ?? null };
}
