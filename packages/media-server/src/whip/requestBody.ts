import type { IncomingMessage } from 'node:http';
import { WhipHttpError } from './WhipHttpError.js';

/**
 * Checks that a request's `Content-Type` is `expected` (parameters such as `charset` aside).
 * @throws WhipHttpError 415 naming the type to send
 */
export function requireContentType(request: IncomingMessage, expected: string): void {
  const given = request.headers['content-type'];
  const type = given?.split(';')[0]?.trim().toLowerCase();
  if (type === expected) return;
  throw new WhipHttpError(
    415,
    given === undefined
      ? `Send the body with "Content-Type: ${expected}".`
      : `This request takes "Content-Type: ${expected}", not "${given}".`,
    // The header that names what a resource takes: Accept-Patch for fragments (RFC 5789).
    expected === 'application/sdp' ? { 'Accept-Post': expected } : { 'Accept-Patch': expected },
  );
}

/**
 * Reads a request's body as UTF-8, refusing to buffer more than `limitBytes`: a declared
 * Content-Length above it is refused before anything is read, a body that grows beyond it is
 * cut off. The caller answers and closes the connection on a 413.
 * @throws WhipHttpError 413 (too large), 400 (the client stopped sending)
 */
export async function readBody(request: IncomingMessage, limitBytes: number): Promise<string> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limitBytes) throw tooLarge(limitBytes);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof WhipHttpError) throw error;
    throw new WhipHttpError(
      400,
      'The request body was cut off; send it again.',
      {},
      { cause: error },
    );
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(limitBytes: number): WhipHttpError {
  return new WhipHttpError(
    413,
    `The body is larger than ${limitBytes} bytes, the server's limit (--max-message-size); an SDP offer is a few KiB.`,
  );
}
