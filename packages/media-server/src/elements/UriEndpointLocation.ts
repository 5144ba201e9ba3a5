import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { mkdir, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { InvalidParamError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MediaSettings } from '../objects/ServerContext.js';
import { redactCredentials } from '../redactCredentials.js';

/** Where a UriEndpoint's media is: a file inside the media root, or an HTTP resource. */
export type UriLocation =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'http'; readonly url: URL }
  | { readonly kind: 'rtsp'; readonly url: URL };

/** What the URI is for: recorders write files (or upload); players and overlay images read them. */
export type UriPurpose =
  | 'RecorderEndpoint'
  | 'PlayerEndpoint'
  | 'FaceOverlayFilter'
  | 'ImageOverlayFilter'
  | 'ChromaFilter'
  | 'PointerDetectorFilter';

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
/** Bounds of a path inside the media root: directories below it, and bytes. */
export const MAX_PATH_DEPTH = 32;
export const MAX_PATH_BYTES = 1024;

/**
 * Resolves a Kurento URI against the media root. Relative paths and `file://` URIs must land
 * inside the root: `..` that climbs out, a symbolic link that leads out (checked on the real
 * path of the deepest existing directory), control characters, paths deeper than
 * MAX_PATH_DEPTH or longer than MAX_PATH_BYTES, and any other scheme are refused with a 40107
 * error. Errors name the URI as the client gave it, never the media root or a link's target
 * (those go to `logger`). `http(s)://` is allowed for players, and for recorders, when the
 * server enables it (--allow-http-playback, --allow-http-recording); a password in the URI
 * never appears in an error.
 */
export function resolveUri(
  uri: string,
  media: MediaSettings,
  purpose: UriPurpose,
  logger?: Logger,
): UriLocation {
  refuseControlCharacters(uri, uri, purpose);
  const trimmed = uri.trim();
  if (trimmed === '') throw new InvalidParamError(`${purpose} needs a uri, got an empty string`);
  const scheme = SCHEME.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return httpLocation(trimmed, media, purpose);
  if (scheme === 'rtsp' && purpose === 'PlayerEndpoint') return rtspLocation(trimmed, media);
  if (scheme !== undefined && scheme !== 'file') {
    throw new InvalidParamError(
      `${purpose} uri '${redactCredentials(uri)}' has the unsupported scheme '${scheme}:': use a path relative to the media root (e.g. 'calls/today.webm') or a file:// URI inside it`,
    );
  }
  const requested = scheme === 'file' ? fileUriPath(trimmed, uri, purpose) : trimmed;
  refuseControlCharacters(requested, uri, purpose);
  const path = isAbsolute(requested) ? resolve(requested) : resolve(media.root, requested);
  if (!isInside(media.root, path)) {
    throw outsideRoot(uri, path, isAbsolute(requested), media.root, purpose, logger);
  }
  checkBounds(uri, relative(media.root, path), purpose);
  checkRealPath(uri, path, media.root, purpose, logger);
  return { kind: 'file', path };
}

function refuseControlCharacters(text: string, uri: string, purpose: UriPurpose): void {
  const found = CONTROL_CHARACTER.exec(text);
  if (!found) return;
  const code = found[0].charCodeAt(0).toString(16).padStart(4, '0');
  throw new InvalidParamError(
    `${purpose} uri ${JSON.stringify(redactCredentials(uri))} contains the control character U+${code.toUpperCase()} at position ${found.index}: file names here take printable characters only`,
  );
}

function checkBounds(uri: string, fromRoot: string, purpose: UriPurpose): void {
  const depth = fromRoot.split(sep).length - 1;
  if (depth > MAX_PATH_DEPTH) {
    throw new InvalidParamError(
      `${purpose} uri '${uri.slice(0, 200)}' is ${depth} directories deep; at most ${MAX_PATH_DEPTH} are allowed below the media root`,
    );
  }
  const bytes = Buffer.byteLength(fromRoot);
  if (bytes > MAX_PATH_BYTES) {
    throw new InvalidParamError(
      `${purpose} uri '${uri.slice(0, 200)}...' is ${bytes} bytes long inside the media root; at most ${MAX_PATH_BYTES} are allowed`,
    );
  }
}

/**
 * Creates the directories a recording goes into, then checks again that the real directory is
 * inside the media root (a link could have appeared since the URI was checked).
 */
export async function prepareRecordingDirectory(
  uri: string,
  path: string,
  media: MediaSettings,
  logger?: Logger,
): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true });
  const realRoot = await realpath(media.root);
  const realDirectory = await realpath(directory);
  if (!isInside(realRoot, realDirectory, true)) {
    throw outsideRoot(uri, realDirectory, false, media.root, 'RecorderEndpoint', logger);
  }
}

function httpLocation(uri: string, media: MediaSettings, purpose: UriPurpose): UriLocation {
  const shown = redactCredentials(uri);
  if (purpose === 'RecorderEndpoint' && !media.allowHttpRecording) {
    throw new InvalidParamError(
      `RecorderEndpoint uri '${shown}': recording to HTTP is disabled on this server; start it with --allow-http-recording true (or MEDLEY_ALLOW_HTTP_RECORDING=true), or use a path relative to the media root`,
    );
  }
  if (purpose !== 'RecorderEndpoint' && !media.allowHttpPlayback) {
    throw new InvalidParamError(
      `${purpose} uri '${shown}': HTTP playback is disabled on this server; start it with --allow-http-playback true (or MEDLEY_ALLOW_HTTP_PLAYBACK=true), or use a file inside the media root`,
    );
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new InvalidParamError(`${purpose} uri '${shown}' is not a valid URL`);
  }
  try {
    media.httpHosts.checkUrl(url);
  } catch (error) {
    throw new InvalidParamError(`${purpose} uri '${shown}': ${(error as Error).message}`);
  }
  return { kind: 'http', url };
}

/**
 * An IP camera's `rtsp://` URI for a player: network playback must be enabled, as for http,
 * and the host pass the same `--allow-http-hosts` policy (checked again on the resolved
 * address when the player connects).
 */
function rtspLocation(uri: string, media: MediaSettings): UriLocation {
  const shown = redactCredentials(uri);
  if (!media.allowHttpPlayback) {
    throw new InvalidParamError(
      `PlayerEndpoint uri '${shown}': network playback (http and rtsp) is disabled on this server; start it with --allow-http-playback true (or MEDLEY_ALLOW_HTTP_PLAYBACK=true)`,
    );
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new InvalidParamError(`PlayerEndpoint uri '${shown}' is not a valid URL`);
  }
  if (url.hostname === '') {
    throw new InvalidParamError(
      `PlayerEndpoint uri '${shown}' names no host: rtsp://host[:port]/path`,
    );
  }
  try {
    media.httpHosts.checkUrl(url);
  } catch (error) {
    throw new InvalidParamError(`PlayerEndpoint uri '${shown}': ${(error as Error).message}`);
  }
  return { kind: 'rtsp', url };
}

function fileUriPath(text: string, uri: string, purpose: UriPurpose): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidParamError(`${purpose} uri '${uri}' is not a valid file URI`);
  }
  if (url.hostname !== '' && url.hostname !== 'localhost') {
    throw new InvalidParamError(
      `${purpose} uri '${uri}' names the host '${url.hostname}': a file URI takes three slashes (file:///absolute/path), or give a path relative to the media root`,
    );
  }
  try {
    return decodeURIComponent(url.pathname);
  } catch {
    throw new InvalidParamError(`${purpose} uri '${uri}' has a malformed %-escape`);
  }
}

/** Whether `path` is strictly inside `root` (or is the root itself, when allowed). */
function isInside(root: string, path: string, allowRoot = false): boolean {
  const fromRoot = relative(root, path);
  if (fromRoot === '') return allowRoot;
  return fromRoot !== '..' && !fromRoot.startsWith(`..${sep}`) && !isAbsolute(fromRoot);
}

/**
 * Refuses a path whose existing part leads out of the root through a symbolic link: the
 * deepest existing directory must really be inside the real root, and the file itself, when it
 * is a link, must point inside too.
 */
function checkRealPath(
  uri: string,
  path: string,
  root: string,
  purpose: UriPurpose,
  logger: Logger | undefined,
): void {
  if (!existsSync(root)) return; // nothing inside can be a link yet
  const realRoot = realpathSync(root);
  let existing = dirname(path);
  while (!existsSync(existing) && existing !== dirname(existing)) existing = dirname(existing);
  const realDirectory = realpathSync(existing);
  if (!isInside(realRoot, realDirectory, true)) {
    throw outsideRoot(uri, realDirectory, false, root, purpose, logger);
  }
  const link = lstatIfExists(path);
  if (link?.isSymbolicLink()) {
    const target = realpathIfExists(path);
    if (purpose === 'RecorderEndpoint' || !target || !isInside(realRoot, target)) {
      throw outsideRoot(uri, target ?? path, false, root, purpose, logger);
    }
  }
}

function lstatIfExists(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function realpathIfExists(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** The client hears that the URI leads out; where to, and where the root is, only the log. */
function outsideRoot(
  uri: string,
  path: string,
  absolute: boolean,
  root: string,
  purpose: UriPurpose,
  logger: Logger | undefined,
): InvalidParamError {
  logger?.info('uri refused: outside the media root', { purpose, uri, path, root });
  // An absolute URI (Kurento's tutorials record to file:///tmp/...) names its directory itself:
  // saying it back tells nothing the client did not write.
  const directory = absolute ? dirname(path) : 'the directory that should hold it';
  return new InvalidParamError(
    `${purpose} uri '${uri}' leads outside the media root: nothing is read or written there. Use a path relative to the media root (e.g. 'calls/today.webm'), or start the server with --media-root ${directory} (or MEDLEY_MEDIA_ROOT=${directory}) to keep Kurento's absolute paths working.`,
  );
}
