/** The MediaStream and track ids an SDP media section announces (`a=msid`). */
export interface MediaIdentity {
  readonly streamId: string;
  readonly trackId: string;
}

/**
 * The `a=msid:<stream> <track>` of each media section of `sdp`, by its `a=mid`. Sections
 * without both are left out; an undefined or malformed SDP gives an empty map.
 */
export function mediaIdentitiesByMid(sdp: string | undefined): Map<string, MediaIdentity> {
  const identities = new Map<string, MediaIdentity>();
  if (!sdp) return identities;
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const mid = /^a=mid:(\S+)/m.exec(section)?.[1];
    const msid = /^a=msid:(\S+) (\S+)/m.exec(section);
    if (mid !== undefined && msid?.[1] && msid[2]) {
      identities.set(mid, { streamId: msid[1], trackId: msid[2] });
    }
  }
  return identities;
}
