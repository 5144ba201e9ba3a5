/**
 * The content of the first file part of a `multipart/form-data` body (RFC 7578): the first part
 * whose Content-Disposition has a `filename`, as Kurento's HttpPostEndpoint takes a browser's
 * form upload (other fields are skipped). Undefined when `contentType` is not multipart or no
 * file part is complete.
 */
export function multipartFile(body: Buffer, contentType: string): Buffer | undefined {
  const boundary = multipartBoundary(contentType);
  if (boundary === undefined) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString('latin1') === '--') return undefined;
    const headersEnd = body.indexOf('\r\n\r\n', partStart);
    if (headersEnd === -1) return undefined;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headersEnd + 4);
    if (next === -1) return undefined;
    const headers = body.subarray(partStart, headersEnd).toString('latin1');
    if (/^content-disposition:[^\r\n]*;\s*filename\*?=/im.test(headers)) {
      return body.subarray(headersEnd + 4, next);
    }
    start = next + 2;
  }
  return undefined;
}

/** The boundary of a `multipart/form-data; boundary=...` content type (quoted or not). */
export function multipartBoundary(contentType: string): string | undefined {
  if (!/^\s*multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}
