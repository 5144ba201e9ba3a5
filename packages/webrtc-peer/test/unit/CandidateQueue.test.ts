import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CandidateQueue } from '../../src/CandidateQueue.js';

function recordingQueue() {
  const applied: string[] = [];
  const queue = new CandidateQueue<string>(async (candidate) => {
    await new Promise((resolve) => setImmediate(resolve));
    if (candidate === 'bad') throw new Error('rejected by the browser');
    applied.push(candidate);
  });
  return { queue, applied };
}

describe('CandidateQueue', () => {
  it('holds candidates until opened, then applies them in arrival order', async () => {
    const { queue, applied } = recordingQueue();
    const added = [queue.add('a'), queue.add('b'), queue.add('c')];
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(applied, []);
    assert.equal(queue.size, 3);
    await queue.open();
    await Promise.all(added);
    assert.deepEqual(applied, ['a', 'b', 'c']);
  });

  it('keeps order when candidates arrive while the held ones are being applied', async () => {
    const { queue, applied } = recordingQueue();
    const first = queue.add('a');
    const opened = queue.open();
    const late = [queue.add('b'), queue.add('c')];
    await Promise.all([first, opened, ...late]);
    assert.deepEqual(applied, ['a', 'b', 'c']);
  });

  it('applies candidates directly once open, settling each add() when applied', async () => {
    const { queue, applied } = recordingQueue();
    await queue.open();
    await queue.add('x');
    assert.deepEqual(applied, ['x']);
  });

  it('rejects only the candidate that failed and goes on with the next', async () => {
    const { queue, applied } = recordingQueue();
    const results = Promise.allSettled([queue.add('a'), queue.add('bad'), queue.add('c')]);
    await queue.open();
    const [a, bad, c] = await results;
    assert.equal(a?.status, 'fulfilled');
    assert.equal(bad?.status, 'rejected');
    assert.equal(c?.status, 'fulfilled');
    assert.deepEqual(applied, ['a', 'c']);
  });

  it('holds again after close() until reopened', async () => {
    const { queue, applied } = recordingQueue();
    await queue.open();
    queue.close();
    const held = queue.add('restart');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(applied, []);
    await queue.open();
    await held;
    assert.deepEqual(applied, ['restart']);
  });

  it('rejects held and later candidates with the dispose error', async () => {
    const { queue, applied } = recordingQueue();
    const held = queue.add('a');
    const error = new Error('disposed');
    queue.dispose(error);
    await assert.rejects(held, error);
    await assert.rejects(queue.add('b'), error);
    await queue.open();
    assert.deepEqual(applied, []);
  });
});
