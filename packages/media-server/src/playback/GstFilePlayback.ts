import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { constants, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openInsideRootForReading } from '../elements/MediaRootFile.js';
import type { MediaCodec, MediaPacket } from '../graph/index.js';
import type { Logger } from '../logger.js';
import { encodeChain } from '../processing/codecElements.js';
import type { ProcessingPlane } from '../processing/ProcessingPlane.js';
import type { ProcessingStage } from '../processing/ProcessingStage.js';

/** A file's media once it stopped arriving for this long is over (a file without audio never sends the audio branch EOS). */
const END_SILENCE_MS = 2500;
/** The file as the stage's process sees it: the descriptor it inherited (fd 3), not a path. */
const INHERITED_FILE = '/proc/self/fd/3';
const run = promisify(execFile);

/**
 * Bytes the server fetched itself (an http(s) resource read through the host policy), fed to
 * the stage through a FIFO: GStreamer never opens a network connection of its own.
 */
export interface GstByteFeed {
  /** The chunks in order; iterated with back-pressure (the next is asked for once written). */
  readonly chunks: () => AsyncIterable<Uint8Array>;
}

/** What a {@link GstFilePlayback} tells its player. */
export interface GstFilePlaybackHandlers {
  readonly onPacket: (kind: 'audio' | 'video', packet: MediaPacket) => void;
  readonly onEndOfStream: () => void;
  readonly onError: (message: string) => void;
}

/** What the stage makes of any file: VP8 video and Opus audio, which every browser takes. */
export const GST_FILE_VIDEO_CODEC: MediaCodec = {
  mimeType: 'video/VP8',
  payloadType: 96,
  clockRate: 90000,
};
/** The audio half of {@link GST_FILE_VIDEO_CODEC}. */
export const GST_FILE_AUDIO_CODEC: MediaCodec = {
  mimeType: 'audio/opus',
  payloadType: 111,
  clockRate: 48000,
  channels: 2,
  parameters: 'minptime=10;useinbandfec=1',
};

/**
 * Plays a file of a container the in-process demuxers do not read (MPEG-TS, MOV, Matroska
 * with codecs other than VP8/VP9/H.264/Opus, ...) through a GStreamer stage: `decodebin`
 * decodes whatever GStreamer reads, and the stage encodes VP8 and Opus in real time; sinks
 * that negotiated something else get the graph's transcoding.
 *
 * The file is opened here, checked where it really is (inside `root`, through any link), and
 * the stage's process inherits that open descriptor: GStreamer never resolves the path, so a
 * link swapped in after the check cannot lead it out of the media root.
 */
export class GstFilePlayback {
  readonly #path: string | GstByteFeed;
  readonly #root: string;
  #feedDirectory: string | undefined;
  #feedAbort: AbortController | undefined;
  readonly #plane: ProcessingPlane;
  readonly #logger: Logger;
  readonly #handlers: GstFilePlaybackHandlers;
  #stage: ProcessingStage | undefined;
  #lastPacketAtMs = 0;
  #started = false;
  #watchdog: NodeJS.Timeout | undefined;
  #stopping: Promise<void> = Promise.resolve();

  /**
   * `path`: the file, inside the media root `root` (its real path is checked at each play), or
   * a feed of bytes the server fetched.
   */
  constructor(
    path: string | GstByteFeed,
    root: string,
    services: { plane: ProcessingPlane; logger: Logger },
    handlers: GstFilePlaybackHandlers,
  ) {
    this.#path = path;
    this.#root = root;
    this.#plane = services.plane;
    this.#logger = services.logger;
    this.#handlers = handlers;
  }

  /**
   * Plays from the start; does nothing while playing.
   * @throws OutsideMediaRootError when the file is outside the media root (through a link), the
   *   fs error when it cannot be opened, ProcessingError when GStreamer cannot start
   */
  async play(): Promise<void> {
    if (this.#stage) return;
    let stage: ProcessingStage;
    let location = INHERITED_FILE;
    if (typeof this.#path === 'string') {
      const file = await openInsideRootForReading(this.#path, this.#root);
      try {
        stage = await this.#plane.launchStage('file playback', { inheritedFiles: [file.fd] });
      } finally {
        await file.close(); // the stage's process holds its own copy of the descriptor
      }
    } else {
      location = await this.#openFeed(this.#path);
      stage = await this.#plane.launchStage('stream playback');
    }
    this.#stage = stage;
    this.#started = false;
    stage.onPacket = (stream, packet) => {
      this.#lastPacketAtMs = performance.now();
      this.#started = true;
      this.#handlers.onPacket(stream === 'video' ? 'video' : 'audio', packet);
    };
    stage.on('failed', (error) => {
      if (this.#stage !== stage) return;
      void this.stop();
      this.#handlers.onError(error.message);
    });
    stage.on('endofstream', () => this.#ended(stage));
    const bitrate = { bitrate: 1_000_000 };
    const description =
      `filesrc location=${location} ! decodebin name=decoded ` +
      'decoded. ! queue ! videoconvert ! videoscale ! videorate ! video/x-raw,format=I420 ! ' +
      `${encodeChain('video', GST_FILE_VIDEO_CODEC, bitrate).replace('sync=false', 'sync=true')} ` +
      'decoded. ! queue ! audioconvert ! audioresample ! ' +
      encodeChain('audio', GST_FILE_AUDIO_CODEC, { bitrate: 64_000 }).replace(
        'sync=false',
        'sync=true',
      );
    this.#logger.debug('file playback through GStreamer', { description });
    await stage.start(description, [
      { name: 'video', output: GST_FILE_VIDEO_CODEC },
      { name: 'audio', output: GST_FILE_AUDIO_CODEC },
    ]);
    this.#watchdog = setInterval(() => {
      if (this.#started && performance.now() - this.#lastPacketAtMs > END_SILENCE_MS) {
        this.#ended(stage);
      }
    }, 500);
    this.#watchdog.unref();
  }

  /** Asks the stage's video encoder for a keyframe. */
  requestKeyframe(): void {
    this.#stage?.requestKeyframe('video');
  }

  /** Stops and reaps the stage; resolves once its process is gone (also when a stop is under way). */
  async stop(): Promise<void> {
    this.#feedAbort?.abort();
    this.#feedAbort = undefined;
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
    const stage = this.#stage;
    this.#stage = undefined;
    const directory = this.#feedDirectory;
    this.#feedDirectory = undefined;
    if (stage || directory) {
      this.#stopping = (async () => {
        if (stage) await this.#plane.closeStage(stage);
        if (directory) {
          await releaseBlockedWriter(join(directory, FEED_FIFO));
          await rm(directory, { recursive: true, force: true });
        }
      })();
    }
    await this.#stopping;
  }

  /**
   * A FIFO in a private directory: the stage opens it to read, the server writes the feed into
   * it (the write end closes at the end of the feed, which the stage sees as end-of-stream).
   */
  async #openFeed(feed: GstByteFeed): Promise<string> {
    const directory = await mkdtemp(join(tmpdir(), 'medley-feed-'));
    this.#feedDirectory = directory;
    const fifo = join(directory, FEED_FIFO);
    await run('mkfifo', ['-m', '600', fifo]);
    const abort = new AbortController();
    this.#feedAbort = abort;
    void this.#pump(feed, fifo, abort.signal);
    return fifo;
  }

  async #pump(feed: GstByteFeed, fifo: string, signal: AbortSignal): Promise<void> {
    // Opening blocks (in libuv's pool) until the stage opens its end.
    const out = createWriteStream(fifo);
    out.on('error', () => undefined); // the stage went away (EPIPE): the stop says why
    signal.addEventListener('abort', () => out.destroy(), { once: true });
    try {
      // Fetch nothing before the stage reads: its failure then has a stage to report on.
      await once(out, 'open', { signal });
      for await (const chunk of feed.chunks()) {
        if (signal.aborted) return;
        if (!out.write(chunk)) await once(out, 'drain', { signal });
      }
      out.end();
    } catch (error) {
      out.destroy();
      if (signal.aborted) return;
      const stage = this.#stage;
      void this.stop();
      if (stage) this.#handlers.onError(error instanceof Error ? error.message : String(error));
    }
  }

  #ended(stage: ProcessingStage): void {
    if (this.#stage !== stage) return;
    void this.stop();
    this.#handlers.onEndOfStream();
  }
}

/** The FIFO's name inside a feed's private directory. */
const FEED_FIFO = 'media';

/**
 * A writer's open of a FIFO blocks a libuv pool thread until a reader opens it; when the stage
 * never did (it failed first), opening and closing a reader here lets that open return, or four
 * such plays would stall every file operation of the server.
 */
async function releaseBlockedWriter(fifo: string): Promise<void> {
  try {
    await (await open(fifo, constants.O_RDONLY | constants.O_NONBLOCK)).close();
  } catch {
    // Gone already: nothing can be blocked on it.
  }
}
