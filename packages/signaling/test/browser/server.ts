// The app server of the browser tests: serves the UMD bundle and a blank page, and answers
// signaling (echo requests, and WebRTC peers backed by werift) on the same port.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import {
  type PeerSignalingProtocol,
  peerSignalingSchemas,
  SignalingServer,
  schema,
} from '../../src/server/index.js';
import { handlePeers } from '../support/peerServer.js';

export interface BrowserTestProtocol {
  requests: PeerSignalingProtocol['requests'] & {
    echo: { request: { text: string }; response: { text: string } };
    fail: { request: { message: string }; response: undefined };
  };
  events: PeerSignalingProtocol['events'];
}

const port = Number(process.argv[2]);
const dist = new URL('../../dist/', import.meta.url);
const files: Record<string, { path: URL; type: string }> = {
  '/medley-signaling.umd.min.js': {
    path: new URL('medley-signaling.umd.min.js', dist),
    type: 'text/javascript',
  },
  '/medley-signaling.umd.min.js.map': {
    path: new URL('medley-signaling.umd.min.js.map', dist),
    type: 'application/json',
  },
};
const page =
  '<!doctype html><meta charset="utf-8"><title>signaling</title>' +
  '<script src="/medley-signaling.umd.min.js"></script>';

const httpServer = createServer((request, response) => {
  const file = files[request.url ?? ''];
  if (request.url === '/') {
    response.writeHead(200, { 'content-type': 'text/html' }).end(page);
  } else if (file) {
    readFile(file.path).then(
      (body) => response.writeHead(200, { 'content-type': file.type }).end(body),
      () => response.writeHead(404).end('run "npm run build" at the repository root first'),
    );
  } else {
    response.writeHead(404).end();
  }
});

const signaling = new SignalingServer<BrowserTestProtocol>({
  httpServer,
  schemas: {
    ...peerSignalingSchemas,
    echo: schema.object({ text: schema.string() }),
    fail: schema.object({ message: schema.string() }),
  },
});
signaling
  .handle('echo', ({ text }) => ({ text }))
  .handle('fail', ({ message }) => {
    throw new Error(message);
  });
handlePeers(signaling as unknown as SignalingServer<PeerSignalingProtocol>);

httpServer.listen(port, '127.0.0.1');
