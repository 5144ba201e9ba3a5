// The built package as consumers load it: through the exports map, from dist. Run after
// `npm run build` (the root `npm test` builds first).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SignalingClient } from '@medley/signaling';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const built = ['index.mjs', 'index.cjs', 'server/index.mjs', 'medley-signaling.umd.min.js'].every(
  (file) => existsSync(`${dist}${file}`),
);

test('the built client and server bundles talk to each other through the exports map', async (t) => {
  assert.ok(built, `dist/ is incomplete: run "npm run build" at the repository root first`);
  const client = await import('@medley/signaling');
  const server = await import('@medley/signaling/server');
  const { SignalingError: CommonJsError } = createRequire(import.meta.url)('@medley/signaling');
  assert.equal(typeof CommonJsError, 'function', 'require() gets the CommonJS build');

  const httpServer = createServer();
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  interface Echo {
    requests: { echo: { request: { text: string }; response: { text: string } } };
    events: Record<string, never>;
  }
  const signaling = new server.SignalingServer<Echo>({
    httpServer,
    schemas: { echo: server.schema.object({ text: server.schema.string() }) },
  });
  signaling.handle('echo', ({ text }) => ({ text }));
  t.after(() => signaling.close());

  const connection = await client.connect<Echo>(`http://127.0.0.1:${port}`, {
    socketOptions: { transports: ['websocket'] },
  });
  t.after(() => connection.close());
  assert.deepEqual(await connection.request('echo', { text: 'bundled' }), { text: 'bundled' });
  await assert.rejects((connection as unknown as SignalingClient).request('nope', {}), (error) =>
    client.isSignalingError(error, 'UNKNOWN_REQUEST'),
  );
});
