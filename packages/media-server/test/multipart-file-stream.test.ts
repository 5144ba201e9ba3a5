import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { MultipartFileStream, multipartBoundary } from '../src/playback/MultipartFileStream.js';

/** The file part of a form, however the body is cut into chunks on its way in. */

const BOUNDARY = '----formdata-undici-0123456789';
const file = Buffer.concat([
  randomBytes(3000),
  Buffer.from(`\r\n--${BOUNDARY.slice(0, 10)}`),
  randomBytes(500),
]);

function form(parts: readonly { headers: string; body: Buffer }[], preamble = ''): Buffer {
  return Buffer.concat([
    Buffer.from(preamble),
    ...parts.flatMap((part) => [
      Buffer.from(`--${BOUNDARY}\r\n${part.headers}\r\n\r\n`),
      part.body,
      Buffer.from('\r\n'),
    ]),
    Buffer.from(`--${BOUNDARY}--\r\n`),
  ]);
}

function extract(body: Buffer, chunkSize: number): { data: Buffer; found: boolean; done: boolean } {
  const received: Buffer[] = [];
  const stream = new MultipartFileStream(BOUNDARY, (chunk) => received.push(Buffer.from(chunk)));
  for (let offset = 0; offset < body.length; offset += chunkSize) {
    stream.push(body.subarray(offset, offset + chunkSize));
  }
  return { data: Buffer.concat(received), found: stream.found, done: stream.done };
}

describe('MultipartFileStream', () => {
  const body = form([
    { headers: 'Content-Disposition: form-data; name="title"', body: Buffer.from('a title') },
    {
      headers:
        'Content-Disposition: form-data; name="file"; filename="a.webm"\r\nContent-Type: video/webm',
      body: file,
    },
    { headers: 'Content-Disposition: form-data; name="after"', body: Buffer.from('ignored') },
  ]);

  it('gives the first file part exactly, whatever the chunk size', () => {
    for (const size of [1, 2, 3, 7, 31, 64, 1000, body.length]) {
      const { data, found, done } = extract(body, size);
      assert.ok(found && done, `chunks of ${size}`);
      assert.ok(data.equals(file), `chunks of ${size}: ${data.length} bytes of ${file.length}`);
    }
  });

  it('skips a preamble, and finds no file in a form without one', () => {
    const withPreamble = form(
      [{ headers: 'Content-Disposition: form-data; name="file"; filename="x"', body: file }],
      'preamble\r\n',
    );
    assert.ok(extract(withPreamble, 17).data.equals(file));
    const noFile = extract(
      form([{ headers: 'Content-Disposition: form-data; name="a"', body: Buffer.from('1') }]),
      5,
    );
    assert.equal(noFile.found, false);
    assert.equal(noFile.data.length, 0);
  });

  it('reads the boundary of a content type, quoted or not', () => {
    assert.equal(multipartBoundary(`multipart/form-data; boundary=${BOUNDARY}`), BOUNDARY);
    assert.equal(multipartBoundary('multipart/form-data; boundary="a b"'), 'a b');
    assert.equal(multipartBoundary('video/webm'), undefined);
  });
});
