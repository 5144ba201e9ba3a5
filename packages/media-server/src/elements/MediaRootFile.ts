import { constants } from 'node:fs';
import { type FileHandle, open, readlink, realpath, unlink } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';

/**
 * The opened file is not inside the media root: a link (of the file or of a directory on its
 * way) was swapped in between the URI check and the open. The absolute path is in `path`, for
 * the server log; the message names neither it nor the root.
 */
export class OutsideMediaRootError extends Error {
  override readonly name = 'OutsideMediaRootError';
  readonly code = 'OUTSIDE_MEDIA_ROOT';
  constructor(readonly path: string) {
    super('the file it leads to is outside the media root (through a symbolic link)');
  }
}

/**
 * Opens a file of the media root for reading. What was opened is checked, not what the path
 * said before: the real path of the open descriptor must be inside the real root, so a link
 * swapped in after the URI was checked cannot lead the read out of it.
 * @throws OutsideMediaRootError, or the fs error (ENOENT, EACCES, ...)
 */
export async function openInsideRootForReading(path: string, root: string): Promise<FileHandle> {
  const handle = await open(path, constants.O_RDONLY);
  await closeUnlessInside(handle, path, root);
  return handle;
}

/**
 * Creates (or empties) a file of the media root for writing. A link in the file's place is
 * refused by the open itself (O_NOFOLLOW); a directory link swapped in on the way is caught by
 * checking the open descriptor's real path before a byte is written or truncated, and a file
 * this call created out there is removed again.
 * @throws OutsideMediaRootError, or the fs error
 */
export async function openInsideRootForWriting(path: string, root: string): Promise<FileHandle> {
  const noFollow = constants.O_NOFOLLOW ?? 0;
  let handle: FileHandle;
  let created = true;
  try {
    handle = await open(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | noFollow,
      0o644,
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    handle = await open(path, constants.O_WRONLY | noFollow);
    created = false;
  }
  try {
    await closeUnlessInside(handle, path, root);
  } catch (error) {
    if (created && error instanceof OutsideMediaRootError) await unlink(error.path).catch(() => {});
    throw error;
  }
  await handle.truncate(0);
  return handle;
}

async function closeUnlessInside(handle: FileHandle, path: string, root: string): Promise<void> {
  try {
    const [opened, realRoot] = await Promise.all([openedPath(handle, path), realpath(root)]);
    const fromRoot = relative(realRoot, opened);
    const inside =
      fromRoot !== '' &&
      fromRoot !== '..' &&
      !fromRoot.startsWith(`..${sep}`) &&
      !isAbsolute(fromRoot);
    if (!inside) throw new OutsideMediaRootError(opened);
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Where an open descriptor really is (Linux: its /proc/self/fd link). */
async function openedPath(handle: FileHandle, fallback: string): Promise<string> {
  try {
    return await readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    return realpath(fallback); // no procfs: the best check left is the path's real path now
  }
}
