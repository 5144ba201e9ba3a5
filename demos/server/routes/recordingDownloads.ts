import type { ServerResponse } from 'node:http';
import type { RecordingLibrary } from '../calls/RecordingLibrary.js';
import { sendFile } from '../StaticFiles.js';

/**
 * GET /recordings/<name>: a recording the recorder demo made, and nothing else of the media
 * root (no listing, no other file, no link). Anyone who has the name can download it: names
 * carry 64 random bits, so they are not guessed, but this demo has no accounts.
 */
export async function serveRecording(
  library: RecordingLibrary,
  name: string,
  response: ServerResponse,
): Promise<void> {
  const file = await library.open(name);
  if (!file) {
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('No such recording\n');
    return;
  }
  const stream = file.handle.createReadStream();
  sendFile(stream, name, file.size, response);
}
