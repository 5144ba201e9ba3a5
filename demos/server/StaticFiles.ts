import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { Readable } from 'node:stream';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webm': 'video/webm',
  '.mp4': 'video/mp4',
};

/** A URL prefix served from a folder on disk. */
export interface StaticMount {
  urlPrefix: string;
  folder: string;
}

/**
 * Serves files under the given mounts for a decoded URL path, refusing any path that escapes
 * its folder or names a dotfile. Returns false when no mount matched, so the caller can answer
 * 404 or try another route.
 */
export async function serveStatic(
  mounts: readonly StaticMount[],
  pathname: string,
  response: ServerResponse,
): Promise<boolean> {
  if (pathname.split('/').some((segment) => segment.startsWith('.'))) return false;
  for (const mount of mounts) {
    if (!pathname.startsWith(mount.urlPrefix)) continue;
    const relative = normalize(pathname.slice(mount.urlPrefix.length));
    const filePath = join(mount.folder, relative);
    if (filePath !== mount.folder && !filePath.startsWith(mount.folder + sep)) return false;
    const file = await resolveFile(filePath);
    if (!file) continue;
    sendFile(createReadStream(file.path), file.path, file.size, response);
    return true;
  }
  return false;
}

/** Answers 200 with a file's bytes, typed by its extension. */
export function sendFile(
  stream: Readable,
  name: string,
  size: number,
  response: ServerResponse,
): void {
  response.writeHead(200, {
    'content-type': contentTypes[extname(name)] ?? 'application/octet-stream',
    'content-length': size,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  stream.on('error', () => response.destroy());
  stream.pipe(response);
}

async function resolveFile(path: string): Promise<{ path: string; size: number } | undefined> {
  try {
    const info = await stat(path);
    if (info.isFile()) return { path, size: info.size };
    if (info.isDirectory()) return resolveFile(join(path, 'index.html'));
  } catch {
    // Missing file: the caller tries the next mount.
  }
  return undefined;
}
