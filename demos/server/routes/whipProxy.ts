import { request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';

/** Headers that describe one hop's connection, not the request: never forwarded. */
const hopByHop = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host'];

/**
 * Whether a request goes to the media server's WHIP/WHEP endpoints: every method but GET and
 * HEAD under `/whip/` and `/whep/`. WHIP and WHEP never GET, so `GET /whip/` stays the demo page
 * and `POST /whip/{stream}` is a publication, on the same URL tools such as OBS are given.
 */
export function isWhipRequest(request: IncomingMessage, pathname: string): boolean {
  return (
    request.method !== 'GET' && request.method !== 'HEAD' && /^\/(whip|whep)(\/|$)/.test(pathname)
  );
}

/**
 * Forwards a WHIP/WHEP request to the embedded media server (`target`, its `http://host:port`)
 * and its answer back, unchanged: the media server checks tokens, answers the SDP and the
 * relative `Location`, which the page then PATCHes and DELETEs here. A page of this server's own
 * origin is no cross-origin caller, so its `Origin` is dropped (the media server allows no origin
 * by default); other origins' requests keep it and meet the media server's CORS policy.
 */
export function proxyWhip(
  request: IncomingMessage,
  response: ServerResponse,
  target: string | undefined,
  log: Logger,
): void {
  if (target === undefined) {
    request.resume();
    response.writeHead(501, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(
      "This app server uses MEDIA_SERVER_URL(S), so it has no media server of its own to serve WHIP: unset them, or publish straight to a Medley media server's /whip/ (started with --whip).\n",
    );
    return;
  }
  const headers = { ...request.headers };
  for (const name of hopByHop) delete headers[name];
  if (sameOrigin(headers.origin, request.headers.host)) delete headers.origin;
  const upstream = forward(
    `${target}${request.url ?? '/'}`,
    { method: request.method, headers },
    (answer) => {
      const answerHeaders = { ...answer.headers };
      for (const name of hopByHop) delete answerHeaders[name];
      response.writeHead(answer.statusCode ?? 502, answerHeaders);
      answer.pipe(response);
    },
  );
  upstream.on('error', (error) => {
    log.warn('WHIP request not forwarded to the media server', { error: error.message });
    if (!response.headersSent) {
      response.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('The media server did not answer: retry in a moment.\n');
    } else response.destroy();
  });
  request.pipe(upstream);
}

function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined || host === undefined) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
