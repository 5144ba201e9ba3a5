import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { createJsonLogger } from '../src/logger.js';
import { AccessGate } from '../src/server/AccessGate.js';
import { resolveOptions } from '../src/server/options.js';
import { RpcClient } from './support/RpcClient.js';
import { startServer } from './support/server.js';

/** The access token: never empty, compared in constant time, and slow to guess. */

function gateWithClock(token: string) {
  const lines: string[] = [];
  let now = 0;
  const gate = new AccessGate(
    token,
    createJsonLogger('info', (line) => lines.push(line)),
    () => now,
  );
  return {
    gate,
    lines,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('access token', () => {
  it('refuses to start with an empty token, from the option, the flag or the variable', () => {
    for (const accessToken of ['', '   ']) {
      assert.throws(
        () => resolveOptions({ accessToken }),
        (error: Error) =>
          error.name === 'ConfigurationError' && /access token is empty/.test(error.message),
      );
    }
  });

  it('lets the right token in, and a wrong one of any length not', () => {
    const { gate } = gateWithClock('s3cret');
    assert.equal(gate.check('10.0.0.1', 's3cret').kind, 'allowed');
    for (const wrong of [null, '', 's3cre', 's3cret!', 'S3CRET', 'x'.repeat(10_000)]) {
      assert.equal(gate.check('10.0.0.2', wrong).kind, 'refused', String(wrong).slice(0, 20));
      gate.check('10.0.0.2', 's3cret'); // a success clears the address's count
    }
    gate.close();
  });

  it('makes a guessing address wait, longer each time, without slowing other addresses', () => {
    const { gate, advance } = gateWithClock('s3cret');
    for (let attempt = 0; attempt < 5; attempt++)
      assert.equal(gate.check('10.0.0.9', `guess${attempt}`).kind, 'refused');
    const throttled = gate.check('10.0.0.9', 's3cret');
    assert.deepEqual(throttled, { kind: 'throttled', retryAfterSeconds: 1 });
    assert.equal(
      gate.check('10.0.0.10', 's3cret').kind,
      'allowed',
      'another address is not held up',
    );
    advance(1001);
    assert.equal(gate.check('10.0.0.9', 'guess5').kind, 'refused');
    assert.deepEqual(gate.check('10.0.0.9', 's3cret'), { kind: 'throttled', retryAfterSeconds: 2 });
    advance(2001);
    assert.equal(
      gate.check('10.0.0.9', 's3cret').kind,
      'allowed',
      'the right token after the wait',
    );
    gate.close();
  });

  it('logs the first refusal of an address and then one summary, not a line per try', () => {
    const { gate, lines, advance } = gateWithClock('s3cret');
    for (let attempt = 0; attempt < 2000; attempt++) {
      gate.check('10.0.0.7', `guess${attempt}`);
      advance(10);
    }
    gate.close(); // writes the summary a timer would write each minute
    assert.equal(lines.length, 2, lines.join(''));
    assert.match(lines[0] ?? '', /missing or wrong access token.*10\.0\.0\.7/);
    const summary = JSON.parse(lines[1] ?? '{}') as { msg: string; refused: number };
    assert.equal(summary.msg, 'access token refusals');
    assert.equal(summary.refused, 2000);
    assert.ok(!lines.join('').includes('s3cret'), 'the token is never logged');
  });

  it('answers GET /healthz without a token, and tells nothing else', async () => {
    const server = await startServer({ accessToken: 's3cret' });
    try {
      const base = server.url.replace('ws:', 'http:').replace(/\/kurento$/, '');
      const health = await fetch(`${base}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { ok: true });
      const other = await fetch(`${base}/kurento`);
      assert.equal(other.status, 426);
    } finally {
      await server.close();
    }
  });

  it('answers 401 to a wrong token and 429 with Retry-After once an address keeps guessing', async () => {
    const server = await startServer({ accessToken: 's3cret' });
    try {
      for (let attempt = 0; attempt < 5; attempt++)
        await assert.rejects(
          RpcClient.open(`${server.url}?access_token=guess${attempt}`),
          /HTTP 401/,
        );
      const refusal = await upgradeRefusal(`${server.url}?access_token=s3cret`);
      assert.equal(refusal.status, 429);
      assert.equal(refusal.retryAfter, '1');
    } finally {
      await server.close();
    }
  });
});

/** The status and Retry-After of a refused WebSocket upgrade. */
function upgradeRefusal(url: string): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => reject(new Error('the upgrade was accepted')));
    socket.once('unexpected-response', (_request, response) => {
      const retryAfter = response.headers['retry-after'];
      resolve({
        status: response.statusCode ?? 0,
        retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
      });
      socket.terminate();
    });
    socket.once('error', () => undefined);
  });
}
