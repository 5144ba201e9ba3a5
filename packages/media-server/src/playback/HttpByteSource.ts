import type { ByteSource } from './ByteSource.js';
import { MediaFileError } from './errors.js';

/** A resource without range support is downloaded whole, up to this size. */
const MAX_WHOLE_DOWNLOAD_BYTES = 256 * 1024 * 1024;
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * An HTTP(S) resource read with Range requests, so a player seeks without downloading the
 * file. A server that ignores ranges gets one download, kept in memory (bounded).
 */
export class HttpByteSource implements ByteSource {
  readonly size: number;
  readonly #url: URL;
  readonly #whole: Buffer | undefined;

  private constructor(url: URL, size: number, whole: Buffer | undefined) {
    this.#url = url;
    this.size = size;
    this.#whole = whole;
  }

  /** @throws MediaFileError NOT_FOUND (404, 410), UNREADABLE (other failures) */
  static async open(url: URL): Promise<HttpByteSource> {
    const response = await request(url, 'bytes=0-0');
    const range = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
    if (response.status === 206 && range?.[1]) {
      await response.body?.cancel();
      return new HttpByteSource(url, Number(range[1]), undefined);
    }
    const length = Number(response.headers.get('content-length') ?? Number.NaN);
    if (length > MAX_WHOLE_DOWNLOAD_BYTES) {
      await response.body?.cancel();
      throw new MediaFileError(
        'NOT_SUPPORTED',
        `${url.href} is ${length} bytes and its server does not accept Range requests; serve it with range support to play it`,
      );
    }
    const whole = Buffer.from(await response.arrayBuffer());
    return new HttpByteSource(url, whole.length, whole);
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const end = Math.min(this.size, offset + length);
    if (end <= offset) return Buffer.alloc(0);
    if (this.#whole) return this.#whole.subarray(offset, end);
    const response = await request(this.#url, `bytes=${offset}-${end - 1}`);
    const body = Buffer.from(await response.arrayBuffer());
    return response.status === 206 ? body : body.subarray(offset, end);
  }

  async close(): Promise<void> {}
}

async function request(url: URL, range: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { Range: range },
      redirect: 'follow',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw new MediaFileError('UNREADABLE', `cannot fetch ${url.href}: ${String(error)}`, {
      cause: error,
    });
  }
  if (response.status === 404 || response.status === 410) {
    await response.body?.cancel();
    throw new MediaFileError('NOT_FOUND', `${url.href} answered HTTP ${response.status}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new MediaFileError('UNREADABLE', `${url.href} answered HTTP ${response.status}`);
  }
  return response;
}
