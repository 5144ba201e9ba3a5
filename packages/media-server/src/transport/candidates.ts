import { isIP } from 'node:net';
import { WebRtcTransportError } from './errors.js';
import type { IceCandidate } from './types.js';

const CANDIDATE_TYPES = new Set(['host', 'srflx', 'prflx', 'relay']);
const ICE_CHARS = /^[A-Za-z0-9+/]{1,32}$/;
/** Browsers hide host addresses behind mDNS names (RFC 8839 allows no other names in practice). */
const MDNS_NAME = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.local$/i;

/** The fields of a candidate line the server looks at. */
export interface ParsedCandidate {
  readonly address: string;
  readonly port: number;
  readonly type: string;
  readonly transport: string;
}

/**
 * Checks a remote candidate before werift sees it (werift throws, sometimes asynchronously, on
 * malformed ones). Returns the candidate with its `candidate:` line normalised (no `a=` prefix),
 * or throws ICE_ADD_CANDIDATE_ERROR with the reason.
 */
export function validateRemoteCandidate(input: unknown): {
  candidate: IceCandidate;
  parsed: ParsedCandidate;
} {
  if (typeof input !== 'object' || input === null) {
    throw candidateError('it must be an object {candidate, sdpMid, sdpMLineIndex}');
  }
  const { candidate, sdpMid, sdpMLineIndex } = input as Record<string, unknown>;
  if (typeof candidate !== 'string') throw candidateError('"candidate" must be a string');
  if (sdpMid !== undefined && sdpMid !== null && typeof sdpMid !== 'string') {
    throw candidateError('"sdpMid" must be a string');
  }
  if (
    sdpMLineIndex !== undefined &&
    sdpMLineIndex !== null &&
    !(Number.isInteger(sdpMLineIndex) && (sdpMLineIndex as number) >= 0)
  ) {
    throw candidateError('"sdpMLineIndex" must be a non-negative integer');
  }
  const line = candidate.trim().replace(/^a=/, '');
  const parsed = parseCandidateLine(line);
  return {
    candidate: {
      candidate: line,
      sdpMid: (sdpMid as string | undefined) ?? '',
      sdpMLineIndex: (sdpMLineIndex as number | undefined) ?? 0,
    },
    parsed,
  };
}

/** Parses `candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...`. */
export function parseCandidateLine(line: string): ParsedCandidate {
  const fields = line.split(/\s+/);
  const [head, component, transport, priority, address, port, typ, type] = fields;
  if (!head?.startsWith('candidate:') || !ICE_CHARS.test(head.slice('candidate:'.length))) {
    throw candidateError(`"${truncate(line)}" does not start with "candidate:<foundation>"`);
  }
  if (!isIntegerIn(component, 1, 256)) throw candidateError(`bad component id "${component}"`);
  if (transport?.toLowerCase() !== 'udp' && transport?.toLowerCase() !== 'tcp') {
    throw candidateError(`transport "${transport}" is neither udp nor tcp`);
  }
  if (!isIntegerIn(priority, 0, 0xffffffff)) throw candidateError(`bad priority "${priority}"`);
  if (!address || !(isIP(address) !== 0 || MDNS_NAME.test(address))) {
    throw candidateError(`bad address "${address}"`);
  }
  if (!isIntegerIn(port, 0, 65535)) throw candidateError(`bad port "${port}"`);
  if (typ !== 'typ' || !type || !CANDIDATE_TYPES.has(type)) {
    throw candidateError(`missing or unknown "typ" (host, srflx, prflx or relay)`);
  }
  return { address, port: Number(port), type, transport: transport.toLowerCase() };
}

/**
 * The `a=candidate` lines of a local SDP, with the mid and index of their m-line. With BUNDLE
 * every m-line repeats the same candidates: each is listed once, for the first m-line.
 */
export function candidatesOfSdp(sdp: string): IceCandidate[] {
  const candidates: IceCandidate[] = [];
  const seen = new Set<string>();
  const sections = sdp.split(/\r?\n(?=m=)/).slice(1);
  for (const [sdpMLineIndex, section] of sections.entries()) {
    const lines = section.split(/\r?\n/);
    const sdpMid =
      lines.find((line) => line.startsWith('a=mid:'))?.slice('a=mid:'.length) ??
      String(sdpMLineIndex);
    for (const line of lines) {
      if (!line.startsWith('a=candidate:') || seen.has(line)) continue;
      seen.add(line);
      candidates.push({ candidate: line.slice(2), sdpMid, sdpMLineIndex });
    }
  }
  return candidates;
}

/**
 * Replaces each host candidate's address by each announced address, keeping its port (a NAT
 * with a 1:1 mapping forwards that port). Other lines are unchanged.
 */
export function announceAddresses(sdp: string, announced: readonly string[]): string {
  if (announced.length === 0) return sdp;
  return sdp
    .split('\r\n')
    .flatMap((line) => {
      if (!line.startsWith('a=candidate:') || !/ typ host( |$)/.test(line)) return [line];
      return announced.map((address) => replaceCandidateAddress(line, address));
    })
    .join('\r\n');
}

function replaceCandidateAddress(line: string, address: string): string {
  const fields = line.split(' ');
  fields[4] = address;
  return fields.join(' ');
}

function isIntegerIn(value: string | undefined, min: number, max: number): boolean {
  if (value === undefined || !/^\d+$/.test(value)) return false;
  const number = Number(value);
  return number >= min && number <= max;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}

function candidateError(reason: string): WebRtcTransportError {
  return new WebRtcTransportError(
    'ICE_ADD_CANDIDATE_ERROR',
    `Cannot add the ICE candidate: ${reason}.`,
  );
}
