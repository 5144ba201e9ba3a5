import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ByteSource } from './ByteSource.js';
import { MediaFileError } from './errors.js';
import { HttpHostPolicy, HttpHostRefusedError } from './HttpHostPolicy.js';

/** A resource without range support is downloaded whole, up to this size. */
const MAX_WHOLE_DOWNLOAD_BYTES = 256 * 1024 * 1024;
const REQUEST_TIMEOUT_MS = 10_000;
const MAX_REDIRECTS = 5;

/**
 * An HTTP(S) resource read with Range requests, so a player seeks without downloading the
 * file. A server that ignores ranges gets one download, kept in memory (bounded). Every
 * connection, redirects included, goes only where the host policy allows (no internal
 * addresses unless the operator named them).
 */
export class HttpByteSource implements ByteSource {
  readonly size: number;
  readonly #url: URL;
  readonly #policy: HttpHostPolicy;
  readonly #whole: Buffer | undefined;

  private constructor(url: URL, policy: HttpHostPolicy, size: number, whole: Buffer | undefined) {
    this.#url = url;
    this.#policy = policy;
    this.size = size;
    this.#whole = whole;
  }

  /** @throws MediaFileError NOT_FOUND (404, 410), FORBIDDEN (host policy), UNREADABLE (other) */
  static async open(url: URL, policy = new HttpHostPolicy()): Promise<HttpByteSource> {
    const response = await request(url, 'bytes=0-0', policy);
    const range = /\/(\d+)$/.exec(header(response, 'content-range'));
    if (response.statusCode === 206 && range?.[1]) {
      response.destroy();
      return new HttpByteSource(url, policy, Number(range[1]), undefined);
    }
    const length = Number(header(response, 'content-length') || Number.NaN);
    if (length > MAX_WHOLE_DOWNLOAD_BYTES) {
      response.destroy();
      throw new MediaFileError(
        'NOT_SUPPORTED',
        `${url.href} is ${length} bytes and its server does not accept Range requests; serve it with range support to play it`,
      );
    }
    const whole = await readBody(response, MAX_WHOLE_DOWNLOAD_BYTES, url);
    return new HttpByteSource(url, policy, whole.length, whole);
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const end = Math.min(this.size, offset + length);
    if (end <= offset) return Buffer.alloc(0);
    if (this.#whole) return this.#whole.subarray(offset, end);
    const response = await request(this.#url, `bytes=${offset}-${end - 1}`, this.#policy);
    if (response.statusCode === 206) return readBody(response, end - offset, this.#url);
    // A server that stopped honouring ranges sends it all: keep what is needed, drop the rest.
    return (await readBody(response, end, this.#url, true)).subarray(offset, end);
  }

  async close(): Promise<void> {}
}

async function request(url: URL, range: string, policy: HttpHostPolicy): Promise<IncomingMessage> {
  let current = url;
  for (let redirects = 0; ; redirects++) {
    const response = await get(current, range, policy);
    const status = response.statusCode ?? 0;
    const location = header(response, 'location');
    if (status >= 300 && status < 400 && location) {
      response.destroy();
      if (redirects === MAX_REDIRECTS) {
        throw new MediaFileError(
          'UNREADABLE',
          `${url.href} redirects more than ${MAX_REDIRECTS} times`,
        );
      }
      current = new URL(location, current);
      if (current.protocol !== 'http:' && current.protocol !== 'https:') {
        throw new MediaFileError('UNREADABLE', `${url.href} redirects to ${current.protocol} URI`);
      }
      continue;
    }
    if (status === 404 || status === 410) {
      response.destroy();
      throw new MediaFileError('NOT_FOUND', `${current.href} answered HTTP ${status}`);
    }
    if (status < 200 || status >= 300) {
      response.destroy();
      throw new MediaFileError('UNREADABLE', `${current.href} answered HTTP ${status}`);
    }
    return response;
  }
}

function get(url: URL, range: string, policy: HttpHostPolicy): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const refuse = (error: unknown) =>
      reject(
        error instanceof HttpHostRefusedError
          ? new MediaFileError('FORBIDDEN', `will not fetch ${url.href}: ${error.message}`)
          : new MediaFileError('UNREADABLE', `cannot fetch ${url.href}: ${String(error)}`, {
              cause: error,
            }),
      );
    try {
      policy.checkUrl(url);
    } catch (error) {
      refuse(error);
      return;
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = send(url, {
      headers: { Range: range },
      lookup: policy.lookup,
      timeout: REQUEST_TIMEOUT_MS,
    });
    outgoing.once('response', resolve);
    outgoing.once('timeout', () =>
      outgoing.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`)),
    );
    outgoing.once('error', refuse);
    outgoing.end();
  });
}

/**
 * The body, up to `limit` bytes: more is refused (a server may ignore what it was asked for),
 * or with `truncate` cut off there.
 */
function readBody(
  response: IncomingMessage,
  limit: number,
  url: URL,
  truncate = false,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size <= limit) return;
      response.destroy();
      if (truncate) resolve(Buffer.concat(chunks).subarray(0, limit));
      else reject(new MediaFileError('UNREADABLE', `${url.href} sent more than ${limit} bytes`));
    });
    response.once('end', () => resolve(Buffer.concat(chunks)));
    response.once('error', (error) =>
      reject(
        new MediaFileError('UNREADABLE', `reading ${url.href}: ${error.message}`, { cause: error }),
      ),
    );
  });
}

function header(response: IncomingMessage, name: string): string {
  const value = response.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}
