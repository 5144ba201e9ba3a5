/** A part's headers larger than this mean a broken or hostile body. */
const MAX_PART_HEADER_BYTES = 16 * 1024;

type State = 'preamble' | 'afterDelimiter' | 'headers' | 'file' | 'skip' | 'done';

/**
 * The content of the first file part of a `multipart/form-data` body (RFC 7578), as the body
 * arrives: the first part whose Content-Disposition has a `filename`, as Kurento's
 * HttpPostEndpoint takes a browser's form upload; other fields are skipped. `onData` gets the
 * file's bytes as they come (a few bytes are held back until it is sure they are not the start
 * of the closing delimiter).
 */
export class MultipartFileStream {
  readonly #delimiter: Buffer;
  readonly #onData: (chunk: Buffer) => void;
  #pending: Buffer = Buffer.alloc(0);
  #state: State = 'preamble';
  #found = false;

  constructor(boundary: string, onData: (chunk: Buffer) => void) {
    this.#delimiter = Buffer.from(`\r\n--${boundary}`);
    this.#onData = onData;
    // The first delimiter may open the body without the CRLF before it.
    this.#pending = Buffer.from('\r\n');
  }

  /** Whether a file part was found (its content may still be arriving). */
  get found(): boolean {
    return this.#found;
  }

  /** Whether the file part is complete (its closing delimiter arrived), or the form ended. */
  get done(): boolean {
    return this.#state === 'done';
  }

  /** Takes the next bytes of the body. @throws Error when a part's headers are too large */
  push(chunk: Buffer): void {
    if (this.#state === 'done') return;
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    while (this.#step()) {
      // each step consumes what it can; false when it needs more bytes
    }
  }

  #step(): boolean {
    switch (this.#state) {
      case 'preamble':
      case 'skip':
      case 'file':
        return this.#untilDelimiter();
      case 'afterDelimiter': {
        if (this.#pending.length < 2) return false;
        const next = this.#pending.toString('latin1', 0, 2);
        this.#pending = this.#pending.subarray(2);
        this.#state = next === '--' ? 'done' : 'headers';
        return this.#state !== 'done';
      }
      case 'headers': {
        if (this.#pending.length < 2) return false;
        const end =
          this.#pending.toString('latin1', 0, 2) === '\r\n'
            ? -2
            : this.#pending.indexOf('\r\n\r\n');
        if (end === -1) {
          if (this.#pending.length > MAX_PART_HEADER_BYTES) {
            throw new Error(`a form part has more than ${MAX_PART_HEADER_BYTES} bytes of headers`);
          }
          return false;
        }
        const headers = end < 0 ? '' : this.#pending.toString('latin1', 0, end);
        this.#pending = this.#pending.subarray(end + 4);
        const isFile = /^content-disposition:[^\r\n]*;\s*filename\*?=/im.test(headers);
        if (isFile) this.#found = true;
        this.#state = isFile ? 'file' : 'skip';
        return true;
      }
      case 'done':
        return false;
    }
  }

  /** Passes on (for the file part) or drops what comes before the next delimiter. */
  #untilDelimiter(): boolean {
    const at = this.#pending.indexOf(this.#delimiter);
    const keep = at === -1 ? Math.max(0, this.#pending.length - this.#delimiter.length + 1) : at;
    if (this.#state === 'file' && keep > 0) this.#onData(this.#pending.subarray(0, keep));
    if (at === -1) {
      this.#pending = this.#pending.subarray(keep);
      return false;
    }
    this.#pending = this.#pending.subarray(at + this.#delimiter.length);
    this.#state = this.#state === 'file' ? 'done' : 'afterDelimiter';
    return this.#state !== 'done';
  }
}

/** The boundary of a `multipart/form-data; boundary=...` content type (quoted or not). */
export function multipartBoundary(contentType: string): string | undefined {
  if (!/^\s*multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}
