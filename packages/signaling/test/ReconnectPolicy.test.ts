import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExponentialBackoff, neverReconnect } from '../src/index.js';

const at = (retryCount: number, elapsedMs = 0) => ({ retryCount, elapsedMs, reason: 'test' });

describe('ExponentialBackoff', () => {
  test('doubles the delay on each retry up to the cap', () => {
    const policy = new ExponentialBackoff({
      initialDelayMs: 100,
      maxDelayMs: 1_000,
      jitter: 0,
    });
    const delays = [0, 1, 2, 3, 4, 5].map((retry) => policy.nextDelayMs(at(retry)));
    assert.deepEqual(delays, [100, 200, 400, 800, 1_000, 1_000]);
  });

  test('takes away at most the jitter fraction of a delay, at random', () => {
    const lowest = new ExponentialBackoff({
      initialDelayMs: 1_000,
      jitter: 0.5,
      random: () => 0.999,
    });
    const highest = new ExponentialBackoff({ initialDelayMs: 1_000, jitter: 0.5, random: () => 0 });
    const halfway = new ExponentialBackoff({
      initialDelayMs: 1_000,
      jitter: 0.5,
      random: () => 0.5,
    });
    assert.equal(lowest.nextDelayMs(at(0)), 500);
    assert.equal(highest.nextDelayMs(at(0)), 1_000);
    assert.equal(halfway.nextDelayMs(at(0)), 750);
  });

  test('gives up after maxRetries failed attempts', () => {
    const policy = new ExponentialBackoff({ maxRetries: 3 });
    assert.notEqual(policy.nextDelayMs(at(2)), null);
    assert.equal(policy.nextDelayMs(at(3)), null);
  });

  test('gives up once maxElapsedMs has passed since the connection was lost', () => {
    const policy = new ExponentialBackoff({ maxElapsedMs: 1_000 });
    assert.notEqual(policy.nextDelayMs(at(1, 999)), null);
    assert.equal(policy.nextDelayMs(at(1, 1_000)), null);
  });

  test('neverReconnect gives up at once', () => {
    assert.equal(neverReconnect.nextDelayMs(at(0)), null);
  });
});
