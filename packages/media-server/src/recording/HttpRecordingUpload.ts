import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { HttpHostPolicy, HttpHostRefusedError } from '../playback/HttpHostPolicy.js';
import { RecordingError } from './errors.js';
import type { ContainerFormat } from './MediaProfile.js';
import type { FilePatch } from './Muxer.js';
import type { RecordingBytesWritten } from './RecordingBytesWritten.js';
import type { RecordingOutput } from './RecordingOutput.js';

/**
 * How long the receiving server has to answer once the body ended. No idle timeout runs while
 * recording: a paused recording sends nothing for as long as it is paused, and a receiver that
 * stops reading is caught by MAX_QUEUED_BYTES.
 */
const ANSWER_TIMEOUT_MS = 30_000;
/**
 * Bytes queued for a receiving server slower than the media: beyond this the upload fails
 * rather than holding the recording in memory (about 10 minutes of a 1 Mbit/s call).
 */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;

const CONTENT_TYPES: Readonly<Record<ContainerFormat, string>> = {
  webm: 'video/webm',
  matroska: 'video/x-matroska',
  mp4: 'video/mp4',
};

export interface HttpRecordingUploadOptions {
  /** The URI as the client gave it; `user:password@` becomes a basic-auth header. */
  readonly url: URL;
  /** How messages name the destination (the URI without its password). */
  readonly name: string;
  /** The container written, for the Content-Type. */
  readonly container: ContainerFormat;
  /** Which hosts may be reached (the same list as HTTP playback). */
  readonly policy?: HttpHostPolicy;
  /** Called once, with a RecordingError (UPLOAD_FAILED), when the upload fails. */
  readonly onFailure: (error: Error) => void;
  /** A running total the bytes the receiving server took are added to (metrics). */
  readonly written?: RecordingBytesWritten;
}

/** Node's codes for a certificate chain it does not trust or a name it does not match. */
const UNTRUSTED_CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * A recording uploaded as it is made, as Kurento does for `http(s)://` recorder URIs: one POST
 * with `Transfer-Encoding: chunked`, each piece the muxer hands out sent at once. The request
 * starts with the first bytes (the container header); `close` ends the body and waits for the
 * answer. A status other than 2xx, a refused or lost connection, or a receiving server that
 * stops reading fails the upload once (a RecordingError, UPLOAD_FAILED); the socket is destroyed
 * and nothing more is sent. Patches are dropped: what they would rewrite has been sent, so a
 * WebM upload has no Duration or SeekHead (as a browser's MediaRecorder output) and an MP4 one
 * keeps zero durations in its `moov` (its fragments and `mfra` index carry the timing).
 *
 * Credentials are sent in an Authorization header, never in the request line, and never appear
 * in messages: `name` is what the client is told.
 */
export class HttpRecordingUpload implements RecordingOutput {
  readonly #options: HttpRecordingUploadOptions;
  readonly #request: ClientRequest;
  readonly #answered: Promise<void>;
  #size = 0;
  #failure: Error | undefined;
  #ended = false;

  constructor(options: HttpRecordingUploadOptions) {
    this.#options = options;
    const { url } = options;
    const target = new URL(url.href);
    target.username = '';
    target.password = '';
    const headers: Record<string, string> = {
      'Content-Type': CONTENT_TYPES[options.container],
      'Transfer-Encoding': 'chunked',
    };
    if (url.username !== '' || url.password !== '') {
      const user = decodeURIComponent(url.username);
      const password = decodeURIComponent(url.password);
      headers.Authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    }
    const policy = options.policy ?? new HttpHostPolicy();
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    this.#request = send(target, {
      method: 'POST',
      headers,
      lookup: policy.lookup,
      agent: false,
    });
    this.#answered = new Promise<void>((resolve) => {
      this.#request.once('response', (response) => {
        this.#onResponse(response);
        resolve();
      });
      this.#request.once('close', () => resolve());
    });
    this.#request.on('error', (error) => this.#fail(this.#connectionFailure(error)));
    try {
      policy.checkUrl(url);
    } catch (error) {
      this.#request.destroy(error as Error);
    }
  }

  get failed(): boolean {
    return this.#failure !== undefined;
  }

  get size(): number {
    return this.#size;
  }

  append(bytes: Buffer): void {
    if (this.#failure || this.#ended || bytes.length === 0) return;
    this.#size += bytes.length;
    if (this.#request.writableLength + bytes.length > MAX_QUEUED_BYTES) {
      this.#fail(
        this.#error(
          `the receiving server takes the media slower than it is recorded (${MAX_QUEUED_BYTES >> 20} MiB queued)`,
        ),
      );
      this.#request.destroy();
      return;
    }
    const written = this.#options.written;
    this.#request.write(bytes, (error) => {
      if (!error && written) written.bytes += bytes.length;
    });
  }

  /** Dropped: the bytes a patch would rewrite have been sent (see the class comment). */
  patch(_patch: FilePatch): void {}

  async close(): Promise<void> {
    if (!this.#ended) {
      this.#ended = true;
      if (this.#failure) this.#request.destroy();
      else this.#request.end();
    }
    const timer = setTimeout(() => {
      const error = new Error(`no answer ${ANSWER_TIMEOUT_MS / 1000} s after the end of the body`);
      this.#request.destroy(Object.assign(error, { code: 'ETIMEDOUT' }));
    }, ANSWER_TIMEOUT_MS);
    await this.#answered;
    clearTimeout(timer);
  }

  #onResponse(response: IncomingMessage): void {
    const status = response.statusCode ?? 0;
    response.resume(); // the body is not needed; reading it lets the socket close
    if (status >= 200 && status < 300) return;
    const reason = response.statusMessage ? ` (${response.statusMessage})` : '';
    const hint =
      status === 401 || status === 403
        ? ': check the user and password in the uri'
        : status >= 300 && status < 400
          ? ': redirects are not followed for uploads; give the final URL'
          : '';
    this.#fail(this.#error(`the receiving server answered HTTP ${status}${reason}${hint}`));
    this.#request.destroy();
  }

  #connectionFailure(error: Error): RecordingError {
    if (error instanceof HttpHostRefusedError)
      return this.#error(`will not upload there: ${error.message}`);
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined && UNTRUSTED_CERTIFICATE_CODES.has(code)) {
      return this.#error(
        `the receiving server's TLS certificate is not trusted (${code}: ${error.message}); if it is your own CA's, start the media server with NODE_EXTRA_CA_CERTS=<its PEM file>`,
        error,
      );
    }
    const when = this.#size > 0 ? ` after ${this.#size} bytes` : '';
    const what =
      code === 'ECONNREFUSED'
        ? 'the receiving server refused the connection'
        : code === 'ETIMEDOUT'
          ? `the receiving server gave ${error.message}`
          : `the connection to the receiving server was lost${when} (${code ?? error.message})`;
    return this.#error(what, error);
  }

  #error(reason: string, cause?: unknown): RecordingError {
    return new RecordingError(
      'UPLOAD_FAILED',
      `Cannot upload the recording to ${this.#options.name}: ${reason}. Recording stopped.`,
      cause === undefined ? undefined : { cause },
    );
  }

  #fail(error: RecordingError): void {
    if (this.#failure) return;
    this.#failure = error;
    this.#options.onFailure(error);
  }
}
