import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TypedEventEmitter } from '../../src/TypedEventEmitter.js';

interface Events {
  candidate: string;
  done: undefined;
  state: number;
}

class Emitter extends TypedEventEmitter<Events> {
  constructor() {
    super(['candidate', 'done']);
  }

  fire<K extends keyof Events>(
    event: K,
    ...payload: Events[K] extends undefined ? [] : [Events[K]]
  ) {
    (this.emit as (event: K, ...rest: unknown[]) => void)(event, ...payload);
  }
}

describe('TypedEventEmitter', () => {
  it('replays retained events, in order, to the first listener only', () => {
    const emitter = new Emitter();
    emitter.fire('candidate', 'a');
    emitter.fire('candidate', 'b');
    const first: string[] = [];
    const second: string[] = [];
    emitter.on('candidate', (candidate) => first.push(candidate));
    emitter.on('candidate', (candidate) => second.push(candidate));
    emitter.fire('candidate', 'c');
    assert.deepEqual(first, ['a', 'b', 'c']);
    assert.deepEqual(second, ['c']);
  });

  it('drops events that are not retained when nobody listens', () => {
    const emitter = new Emitter();
    emitter.fire('state', 1);
    const states: number[] = [];
    emitter.on('state', (state) => states.push(state));
    emitter.fire('state', 2);
    assert.deepEqual(states, [2]);
  });

  it('calls a once() listener a single time', () => {
    const emitter = new Emitter();
    let calls = 0;
    emitter.once('done', () => calls++);
    emitter.fire('done');
    emitter.fire('done');
    assert.equal(calls, 1);
    assert.equal(emitter.listenerCount('done'), 0);
  });

  it('stops calling a listener after off() and after removeAllListeners()', () => {
    const emitter = new Emitter();
    const states: number[] = [];
    const listener = (state: number) => states.push(state);
    emitter.on('state', listener).fire('state', 1);
    emitter.off('state', listener).fire('state', 2);
    emitter.on('state', listener).removeAllListeners().fire('state', 3);
    assert.deepEqual(states, [1]);
  });

  it('drops retained events on removeAllListeners()', () => {
    const emitter = new Emitter();
    emitter.fire('candidate', 'stale');
    emitter.removeAllListeners();
    const seen: string[] = [];
    emitter.on('candidate', (candidate) => seen.push(candidate));
    assert.deepEqual(seen, []);
  });
});
