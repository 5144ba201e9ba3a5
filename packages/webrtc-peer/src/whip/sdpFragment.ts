/** The media type of a trickle ICE SDP fragment (RFC 8840), what WHIP's PATCH carries. */
export const SDP_FRAGMENT_TYPE = 'application/trickle-ice-sdpfrag';

/** The value of the first `a=<name>:` line of `sdp`, if any. */
export function sdpAttribute(sdp: string, name: string): string | undefined {
  return new RegExp(`^a=${name}:(.+?)\\r?$`, 'm').exec(sdp)?.[1];
}

/**
 * The body of a trickle PATCH (RFC 9725 §4.3.1, RFC 8840): the local ICE credentials, then per
 * media section its `m=` line, `a=mid` and candidates; `null` in `candidates` is the end of
 * gathering (`a=end-of-candidates`). With no candidate at all the first section is still named,
 * which is what an ICE restart sends.
 */
export function candidateFragment(
  localSdp: string,
  candidates: readonly (RTCIceCandidateInit | null)[],
): string {
  const sections = localSdp.split(/\r?\n(?=m=)/).slice(1);
  const byMid = new Map<string, string[]>();
  for (const candidate of candidates) {
    const mid = candidate?.sdpMid ?? sdpAttribute(sections[0] ?? '', 'mid') ?? '0';
    const lines = byMid.get(mid) ?? [];
    lines.push(candidate ? `a=${candidate.candidate}` : 'a=end-of-candidates');
    byMid.set(mid, lines);
  }
  if (byMid.size === 0) byMid.set(sdpAttribute(sections[0] ?? '', 'mid') ?? '0', []);
  const lines = [
    `a=ice-ufrag:${sdpAttribute(localSdp, 'ice-ufrag')}`,
    `a=ice-pwd:${sdpAttribute(localSdp, 'ice-pwd')}`,
  ];
  for (const [mid, candidateLines] of byMid) {
    const section = sections.find((text) => sdpAttribute(text, 'mid') === mid) ?? sections[0];
    lines.push(section?.split(/\r?\n/)[0] ?? 'm=audio 9 UDP/TLS/RTP/SAVPF 0', `a=mid:${mid}`);
    lines.push(...candidateLines);
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * Applies the server's answer to an ICE restart (a fragment with its new credentials and
 * candidates) to the remote description it had: the answer to set, and the candidates to add.
 */
export function restartedAnswer(
  remoteSdp: string,
  fragment: string,
): { sdp: string; candidates: RTCIceCandidateInit[] } {
  const ufrag = sdpAttribute(fragment, 'ice-ufrag');
  const pwd = sdpAttribute(fragment, 'ice-pwd');
  const mid = sdpAttribute(fragment, 'mid') ?? sdpAttribute(remoteSdp, 'mid');
  const sdp = remoteSdp
    .replace(/^a=ice-ufrag:.*$/gm, `a=ice-ufrag:${ufrag}`)
    .replace(/^a=ice-pwd:.*$/gm, `a=ice-pwd:${pwd}`)
    .replace(/^a=(candidate:.*|end-of-candidates)\r?\n/gm, '');
  const candidates = [...fragment.matchAll(/^a=(candidate:.+?)\r?$/gm)].map((match) => ({
    candidate: match[1] as string,
    sdpMid: mid ?? null,
  }));
  return { sdp, candidates };
}
