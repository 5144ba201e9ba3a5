import type { IncomingMessage } from 'node:http';
import { BufferByteSource } from './BufferByteSource.js';
import type { Demuxer } from './DemuxedMedia.js';
import { MediaFileError } from './errors.js';
import { MultipartFileStream, multipartBoundary } from './MultipartFileStream.js';
import { openDemuxer } from './openDemuxer.js';
import { WebmStreamDemuxer } from './webm/WebmStreamDemuxer.js';

const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);
/**
 * Frames read ahead of the player beyond this pause the upload (TCP pushes back on the sender),
 * so a long upload is held in memory a few seconds at a time, not whole.
 */
const MAX_READ_AHEAD_BYTES = 4 * 1024 * 1024;

/** How an upload's body ended. */
export type UploadOutcome =
  /** Read to its end. */
  | 'complete'
  /** The connection was lost before the end: what arrived is played. */
  | 'cut short'
  /** Larger than the limit: refused. */
  | 'too large'
  /** Not media, or malformed media (the demuxer said why). */
  | 'not media';

/**
 * The media of one HTTP upload (HttpPostEndpoint's POST): the body itself, or the file part of
 * a `multipart/form-data` form. WebM and Matroska are read as they arrive and can start playing
 * once their tracks are described, with the request paused while the player is more than a few
 * MiB behind; other containers (MP4, whose index may come last) are read whole, up to
 * `maxBytes`, then opened.
 */
export class MediaUpload {
  /**
   * Resolves with the demuxer as soon as the media can start playing; rejects with a
   * MediaFileError when the body is not media the player can send.
   */
  readonly demuxer: Promise<Demuxer>;
  /** Resolves when the body ended, saying how. */
  readonly finished: Promise<UploadOutcome>;
  readonly #request: IncomingMessage;
  readonly #maxBytes: number;
  readonly #multipart: MultipartFileStream | undefined;
  #head: Buffer = Buffer.alloc(0);
  #stream: WebmStreamDemuxer | undefined;
  #whole: Buffer[] | undefined;
  #size = 0;
  #outcome: UploadOutcome | undefined;
  #resolveDemuxer!: (demuxer: Demuxer) => void;
  #rejectDemuxer!: (error: MediaFileError) => void;

  constructor(request: IncomingMessage, maxBytes: number) {
    this.#request = request;
    this.#maxBytes = maxBytes;
    this.demuxer = new Promise<Demuxer>((resolve, reject) => {
      this.#resolveDemuxer = resolve;
      this.#rejectDemuxer = reject;
    });
    this.demuxer.catch(() => undefined); // the caller hears it; never unhandled
    const boundary = multipartBoundary(String(request.headers['content-type'] ?? ''));
    this.#multipart =
      boundary === undefined
        ? undefined
        : new MultipartFileStream(boundary, (chunk) => this.#onMedia(chunk));
    this.finished = new Promise<UploadOutcome>((resolve) => {
      request.on('data', (chunk: Buffer) => this.#onBody(chunk));
      request.once('end', () => {
        void this.#onEnd().then(resolve);
      });
      request.once('close', () => {
        if (request.complete) return;
        this.#stream?.end();
        this.#outcome ??= 'cut short';
        this.#rejectDemuxer(new MediaFileError('UNREADABLE', 'the upload was cut short'));
        resolve(this.#outcome);
      });
    });
  }

  /** How the body ended, once it is known (set before `demuxer` rejects). */
  get outcome(): UploadOutcome | undefined {
    return this.#outcome;
  }

  #onBody(chunk: Buffer): void {
    if (this.#outcome) return;
    this.#size += chunk.length;
    if (this.#size > this.#maxBytes && !this.#stream) {
      this.#stop(
        'too large',
        new MediaFileError(
          'NOT_SUPPORTED',
          `the upload is larger than ${this.#maxBytes} bytes, the limit for containers read whole (MP4); WebM and MKV have none`,
        ),
      );
      return;
    }
    try {
      if (this.#multipart) this.#multipart.push(chunk);
      else this.#onMedia(chunk);
    } catch (error) {
      this.#stop(
        'not media',
        new MediaFileError('NOT_SUPPORTED', String((error as Error).message)),
      );
    }
  }

  /** Bytes of the media itself: the first ones say the container. */
  #onMedia(chunk: Buffer): void {
    if (this.#stream) {
      this.#toStream(this.#stream, chunk);
      return;
    }
    if (this.#whole) {
      this.#whole.push(chunk);
      return;
    }
    this.#head = Buffer.concat([this.#head, chunk]);
    if (this.#head.length < EBML_MAGIC.length) return;
    const head = this.#head;
    this.#head = Buffer.alloc(0);
    if (!head.subarray(0, EBML_MAGIC.length).equals(EBML_MAGIC)) {
      this.#whole = [head];
      return;
    }
    const stream = new WebmStreamDemuxer(() => {
      if (this.#request.isPaused() && stream.queuedBytes < MAX_READ_AHEAD_BYTES / 2) {
        this.#request.resume();
      }
    });
    this.#stream = stream;
    stream.ready.then(
      () => this.#resolveDemuxer(stream),
      (error: MediaFileError) => this.#stop('not media', error),
    );
    this.#toStream(stream, head);
  }

  #toStream(stream: WebmStreamDemuxer, chunk: Buffer): void {
    stream.push(chunk);
    if (stream.failed) {
      this.#outcome ??= 'not media';
      return;
    }
    if (stream.queuedBytes > MAX_READ_AHEAD_BYTES) this.#request.pause();
  }

  async #onEnd(): Promise<UploadOutcome> {
    if (this.#outcome) return this.#outcome;
    this.#stream?.end();
    if (this.#stream) {
      // The demuxer settles once the stream ended: its tracks arrived, or it never will.
      await this.#stream.ready.catch(() => undefined);
      this.#outcome = this.#stream.failed ? 'not media' : 'complete';
      return this.#outcome;
    }
    if (this.#multipart && !this.#multipart.found) {
      return this.#stop(
        'not media',
        new MediaFileError('NOT_SUPPORTED', 'the form has no file part'),
      );
    }
    const body = Buffer.concat([...(this.#whole ?? []), this.#head]);
    if (body.length === 0) {
      return this.#stop('not media', new MediaFileError('NOT_SUPPORTED', 'the upload is empty'));
    }
    try {
      this.#resolveDemuxer(await openDemuxer(new BufferByteSource(body)));
    } catch (error) {
      return this.#stop(
        'not media',
        error instanceof MediaFileError
          ? error
          : new MediaFileError('NOT_SUPPORTED', String(error), { cause: error }),
      );
    }
    this.#outcome = 'complete';
    return this.#outcome;
  }

  /** Gives up on the body: drops what is held and drains the rest unread. */
  #stop(outcome: UploadOutcome, error: MediaFileError): UploadOutcome {
    this.#outcome ??= outcome;
    this.#whole = undefined;
    this.#head = Buffer.alloc(0);
    this.#rejectDemuxer(error);
    this.#request.resume();
    return this.#outcome;
  }
}
