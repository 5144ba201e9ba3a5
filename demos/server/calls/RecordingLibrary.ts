import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { RecordingInfo, RecordingProfile } from '../../protocol/RecorderProtocol.js';
import { CallError } from './CallError.js';

const extensions: Record<RecordingProfile, string> = { WEBM: '.webm', MP4: '.mp4' };
/** recording-<UTC time>-<16 random hex digits>.<ext>: sortable, and not guessable. */
const recordingName = /^recording-[0-9TZ-]+-[0-9a-f]{16}\.(webm|mp4)$/;

/**
 * The recordings of the demo: files in the media server's media root, named by the app server so
 * that a page never chooses a path (the media server refuses paths outside its root anyway).
 */
export class RecordingLibrary {
  constructor(
    /** The media root on this machine, when the app server can read it (embedded server). */
    private readonly folder: string,
    /** Where the app server serves the folder, e.g. `/recordings/`. */
    private readonly downloadPrefix: string,
  ) {}

  /** A fresh name for a recording in `profile`'s container. */
  newName(profile: RecordingProfile, now = new Date()): string {
    const stamp = now.toISOString().replace(/[:.]/g, '-');
    return `recording-${stamp}-${randomBytes(8).toString('hex')}${extensions[profile]}`;
  }

  /**
   * Opens a recording of this demo for download: a name it gave out, a regular file (never a
   * symbolic link, never anything else of the folder). Undefined when there is no such file.
   */
  async open(name: string): Promise<{ handle: FileHandle; size: number } | undefined> {
    if (!recordingName.test(name)) return undefined;
    let handle: FileHandle;
    try {
      handle = await open(join(this.folder, name), constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      return undefined;
    }
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      return undefined;
    }
    return { handle, size: info.size };
  }

  /** Checks a name a page sent back: only names this library gives out are accepted. */
  checkName(name: string): string {
    if (!recordingName.test(name) || basename(name) !== name) {
      throw new CallError('INVALID_ARGUMENT', `"${name}" is not a recording of this demo.`);
    }
    return name;
  }

  async info(name: string): Promise<RecordingInfo | undefined> {
    try {
      const file = await stat(join(this.folder, name));
      return {
        name,
        downloadUrl: `${this.downloadPrefix}${encodeURIComponent(name)}`,
        sizeBytes: file.size,
        createdAt: file.mtime.toISOString(),
      };
    } catch {
      return undefined;
    }
  }

  /** The recordings on disk, newest first. */
  async list(): Promise<RecordingInfo[]> {
    const names = await readdir(this.folder).catch(() => [] as string[]);
    const recordings = await Promise.all(
      names.filter((name) => recordingName.test(name)).map((name) => this.info(name)),
    );
    return recordings
      .filter((recording): recording is RecordingInfo => recording !== undefined)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }
}
