import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NegotiationEpoch } from '../src/index.js';

test('a negotiation started here is current until a newer one starts', () => {
  const epoch = new NegotiationEpoch();
  const first = epoch.next();
  assert.ok(epoch.isCurrent(first));
  const second = epoch.next();
  assert.equal(second, first + 1);
  assert.equal(epoch.isCurrent(first), false);
});

test('adopts only newer epochs from the other side', () => {
  const epoch = new NegotiationEpoch();
  assert.equal(epoch.adopt(3), true);
  assert.equal(epoch.current, 3);
  assert.equal(epoch.adopt(3), false, 'the same offer again is a replay');
  assert.equal(epoch.adopt(2), false, 'an older offer is stale');
  assert.equal(epoch.adopt(Number.NaN), false);
  assert.equal(epoch.next(), 4);
});
