import { WhipHttpError } from './WhipHttpError.js';

/** The media type of a trickle ICE SDP fragment (RFC 8840), what WHIP's PATCH carries. */
export const SDP_FRAGMENT_TYPE = 'application/trickle-ice-sdpfrag';

/** Fragments are a few candidates long: a bigger one is not a fragment a client would send. */
const MAX_FRAGMENT_LINES = 500;

/** One `a=candidate` line of a fragment, with the media section it belongs to. */
export interface FragmentCandidate {
  /** The line without its `a=` (`candidate:1 1 udp ...`), as an RTCIceCandidate holds it. */
  readonly candidate: string;
  /** The `a=mid` of its media section; empty when the section has none. */
  readonly sdpMid: string;
  /** The position of its media section in the fragment. */
  readonly sdpMLineIndex: number;
}

/** What a WHIP client's PATCH body says: its ICE credentials, new candidates, and whether it is done. */
export interface SdpFragment {
  /** `a=ice-ufrag`, at session or media level; the fragment's ICE session. */
  readonly usernameFragment: string | undefined;
  /** `a=ice-pwd`, at session or media level. */
  readonly password: string | undefined;
  readonly candidates: readonly FragmentCandidate[];
  /** `a=end-of-candidates` was present: the client gathered everything. */
  readonly endOfCandidates: boolean;
}

/**
 * Parses an `application/trickle-ice-sdpfrag` body (RFC 8840 §9): session-level attributes,
 * then `m=` sections with their `a=mid`, `a=ice-ufrag`/`a=ice-pwd` and `a=candidate` lines.
 * Attributes a fragment may carry but the server does not need (ice-options, group) are skipped.
 * @throws WhipHttpError 400 saying what is wrong with the fragment
 */
export function parseSdpFragment(body: string): SdpFragment {
  const lines = body.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length > MAX_FRAGMENT_LINES) {
    throw badFragment(`it has ${lines.length} lines; a fragment has at most ${MAX_FRAGMENT_LINES}`);
  }
  let usernameFragment: string | undefined;
  let password: string | undefined;
  let endOfCandidates = false;
  const candidates: FragmentCandidate[] = [];
  let section: { mid: string; index: number; pending: string[] } | undefined;
  let sectionCount = 0;
  const closeSection = () => {
    if (!section) return;
    for (const candidate of section.pending)
      candidates.push({ candidate, sdpMid: section.mid, sdpMLineIndex: section.index });
    section = undefined;
  };
  for (const rawLine of lines) {
    const line = rawLine.trim();
    if (!/^[a-z]=/.test(line)) {
      throw badFragment(`"${truncate(line)}" is not an SDP line (<letter>=<value>)`);
    }
    if (line.startsWith('m=')) {
      closeSection();
      section = { mid: '', index: sectionCount++, pending: [] };
      continue;
    }
    if (!line.startsWith('a=')) continue;
    const [name, value = ''] = splitAttribute(line.slice(2));
    switch (name) {
      case 'ice-ufrag':
        usernameFragment = checkIceCharacters(value, 'a=ice-ufrag');
        break;
      case 'ice-pwd':
        password = checkIceCharacters(value, 'a=ice-pwd');
        break;
      case 'mid':
        if (section) section.mid = value;
        break;
      case 'candidate': {
        const candidate = `candidate:${value}`;
        if (section) section.pending.push(candidate);
        else candidates.push({ candidate, sdpMid: '', sdpMLineIndex: 0 });
        break;
      }
      case 'end-of-candidates':
        endOfCandidates = true;
        break;
      default:
        break;
    }
  }
  closeSection();
  if (candidates.length === 0 && !endOfCandidates && usernameFragment === undefined) {
    throw badFragment('it holds no a=candidate, a=end-of-candidates nor a=ice-ufrag line');
  }
  return { usernameFragment, password, candidates, endOfCandidates };
}

/** What the server answers to an ICE restart: its new credentials and candidates. */
export interface SdpFragmentAnswer {
  readonly usernameFragment: string;
  readonly password: string;
  /** The media section the candidates are for (the first of the bundle). */
  readonly mid: string;
  /** The `m=` line of that section, repeated as RFC 8840 fragments carry it. */
  readonly mediaLine: string;
  /** `candidate:...` lines (without `a=`). */
  readonly candidates: readonly string[];
}

/**
 * Writes the body of a 200 answer to an ICE restart: the server's new `a=ice-ufrag`/`a=ice-pwd`
 * at session level, then the bundle's first media section with every candidate and
 * `a=end-of-candidates` (the server gathers before answering).
 */
export function writeSdpFragment(answer: SdpFragmentAnswer): string {
  const lines = [
    `a=ice-ufrag:${answer.usernameFragment}`,
    `a=ice-pwd:${answer.password}`,
    answer.mediaLine,
    `a=mid:${answer.mid}`,
    ...answer.candidates.map((candidate) => `a=${candidate}`),
    'a=end-of-candidates',
  ];
  return `${lines.join('\r\n')}\r\n`;
}

function splitAttribute(attribute: string): [string, string | undefined] {
  const colon = attribute.indexOf(':');
  return colon < 0
    ? [attribute, undefined]
    : [attribute.slice(0, colon), attribute.slice(colon + 1).trim()];
}

/** RFC 8839 ice-char: letters, digits, `+` and `/`. */
function checkIceCharacters(value: string, what: string): string {
  if (!/^[A-Za-z0-9+/]{1,256}$/.test(value)) {
    throw badFragment(`${what} must be 1-256 letters, digits, "+" or "/"`);
  }
  return value;
}

function badFragment(reason: string): WhipHttpError {
  return new WhipHttpError(
    400,
    `The ${SDP_FRAGMENT_TYPE} body cannot be used: ${reason} (see RFC 8840 and RFC 9725 §4.3).`,
  );
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
