import { expect, test } from '@playwright/test';

test.beforeEach(async ({ page }) => {
  await page.goto('/peer.html');
});

test('a data channel carries text and binary messages both ways and reports open and close', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { medley, harness } = window;
    const noMedia = { audio: false, video: false };
    const alice = new medley.WebRtcPeer({
      mode: 'recvonly',
      mediaConstraints: noMedia,
      dataChannel: { label: 'chat' },
    });
    // Bob has no channel of his own: he adopts the one Alice opens.
    const bob = new medley.WebRtcPeer({ mode: 'recvonly', mediaConstraints: noMedia });
    const opened = Promise.all(
      [alice, bob].map(
        (peer) =>
          new Promise<string>((resolve) =>
            peer.once('datachannelopen', (channel) => resolve(channel.label)),
          ),
      ),
    );
    bob.on('datachannelmessage', ({ data }) => {
      void bob.send(typeof data === 'string' ? `echo:${data}` : data);
    });
    const replies: Array<string | number[]> = [];
    alice.on('datachannelmessage', ({ data }) => {
      replies.push(typeof data === 'string' ? data : [...new Uint8Array(data)]);
    });
    await harness.connect(alice, bob);
    const labels = await opened;
    await alice.send('ping');
    await alice.send(new Uint8Array([1, 2, 254, 255]).buffer);
    await harness.waitFor('both echoes', () => replies.length === 2 || undefined);
    const closed = new Promise<string>((resolve) =>
      bob.once('datachannelclose', (channel) => resolve(channel.readyState)),
    );
    alice.dataChannel?.close();
    return {
      labels,
      offeredKinds: medley
        .mediaSections(alice.peerConnection.localDescription?.sdp ?? '')
        .map((section) => section.kind),
      replies,
      bobState: await closed,
    };
  });
  expect(result.labels).toEqual(['chat', 'chat']);
  expect(result.offeredKinds).toEqual(['application']);
  expect(result.replies).toEqual(['echo:ping', [1, 2, 254, 255]]);
  expect(result.bobState).toBe('closed');
});

test('send() applies backpressure: it resolves only once the buffer drained below its threshold', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { medley, harness } = window;
    const noMedia = { audio: false, video: false };
    const threshold = 128 * 1024;
    const alice = new medley.WebRtcPeer({
      mode: 'recvonly',
      mediaConstraints: noMedia,
      dataChannel: { bufferedAmountLowThreshold: threshold },
    });
    const bob = new medley.WebRtcPeer({ mode: 'recvonly', mediaConstraints: noMedia });
    let received = 0;
    bob.on('datachannelmessage', ({ data }) => {
      received += (data as ArrayBuffer).byteLength;
    });
    let lowEvents = 0;
    alice.on('datachannelbufferedamountlow', () => lowEvents++);
    const opened = new Promise((resolve) => alice.once('datachannelopen', resolve));
    await harness.connect(alice, bob);
    await opened;
    const chunk = new Uint8Array(64 * 1024);
    const chunks = 64;
    let largestBufferAfterSend = 0;
    for (let index = 0; index < chunks; index++) {
      await alice.send(chunk);
      largestBufferAfterSend = Math.max(
        largestBufferAfterSend,
        alice.dataChannel?.bufferedAmount ?? 0,
      );
    }
    await harness.waitFor(
      'all bytes received',
      () => received === chunk.length * chunks || undefined,
    );
    return { threshold, largestBufferAfterSend, lowEvents, received };
  });
  expect(result.received).toBe(64 * 64 * 1024);
  expect(result.lowEvents).toBeGreaterThan(0);
  expect(result.largestBufferAfterSend).toBeLessThanOrEqual(result.threshold);
});

test('when both sides open a channel, each one receives what the other sends on its own', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { medley, harness } = window;
    const noMedia = { audio: false, video: false };
    const alice = new medley.WebRtcPeer({
      mode: 'recvonly',
      mediaConstraints: noMedia,
      dataChannel: { label: 'from-alice' },
    });
    const bob = new medley.WebRtcPeer({
      mode: 'recvonly',
      mediaConstraints: noMedia,
      dataChannel: { label: 'from-bob' },
    });
    const received: string[] = [];
    for (const [name, peer] of [
      ['alice', alice],
      ['bob', bob],
    ] as const) {
      peer.on('datachannelmessage', ({ data, channel }) =>
        received.push(`${name} got ${String(data)} on ${channel.label}`),
      );
    }
    const open = (peer: typeof alice) =>
      harness.waitFor(
        'an open channel',
        () => peer.dataChannel?.readyState === 'open' || undefined,
      );
    await harness.connect(alice, bob);
    await Promise.all([open(alice), open(bob)]);
    await alice.send('hi');
    await bob.send('hello');
    await harness.waitFor('both messages', () => received.length === 2 || undefined);
    return received.sort();
  });
  expect(result).toEqual(['alice got hello on from-bob', 'bob got hi on from-alice']);
});
