import { expect, test } from '@playwright/test';

test.beforeEach(async ({ page }) => {
  await page.goto('/peer.html');
});

test('two sendrecv peers send each other audio and video that decodes and plays', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { medley, harness } = window;
    const aliceVideo = harness.video('alice-remote');
    const bobVideo = harness.video('bob-remote');
    const alice = new medley.WebRtcPeer({ mode: 'sendrecv', remoteVideo: aliceVideo });
    const bob = new medley.WebRtcPeer({ mode: 'sendrecv', remoteVideo: bobVideo });
    await harness.connect(alice, bob);
    await Promise.all([harness.decodesVideo(alice), harness.decodesVideo(bob)]);
    await Promise.all([harness.playsOn(aliceVideo), harness.playsOn(bobVideo)]);
    const [aliceStats, bobStats] = await Promise.all([alice.getStats(), bob.getStats()]);
    return {
      connection: alice.peerConnection.connectionState,
      iceServers: alice.peerConnection.getConfiguration().iceServers ?? [],
      aliceFrames: aliceStats.inbound.video?.framesDecoded ?? 0,
      bobFrames: bobStats.inbound.video?.framesDecoded ?? 0,
      aliceAudioPackets: aliceStats.inbound.audio?.packets ?? 0,
      bobAudioPackets: bobStats.inbound.audio?.packets ?? 0,
      remoteKinds: alice
        .getRemoteStream()
        .getTracks()
        .map((track) => track.kind)
        .sort(),
      candidateErrors: harness.candidateErrors,
    };
  });
  expect(result.connection).toBe('connected');
  expect(result.iceServers).toEqual([]);
  expect(result.aliceFrames).toBeGreaterThan(0);
  expect(result.bobFrames).toBeGreaterThan(0);
  expect(result.aliceAudioPackets).toBeGreaterThan(0);
  expect(result.bobAudioPackets).toBeGreaterThan(0);
  expect(result.remoteKinds).toEqual(['audio', 'video']);
  expect(result.candidateErrors).toEqual([]);
});

test('a recvonly viewer answers the offer of a sendonly presenter (server-initiated) and decodes it', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { medley, harness } = window;
    const viewerVideo = harness.video('viewer');
    const presenter = new medley.WebRtcPeer({ mode: 'sendonly' });
    const viewer = new medley.WebRtcPeer({ mode: 'recvonly', remoteVideo: viewerVideo });
    harness.trickle(presenter, viewer);
    harness.trickle(viewer, presenter);
    const offer = await presenter.generateOffer();
    const answer = await viewer.processOffer(offer);
    await presenter.processAnswer(answer);
    const frames = await harness.decodesVideo(viewer);
    await harness.playsOn(viewerVideo);
    const presenterStats = await presenter.getStats();
    return {
      offered: medley.mediaSections(offer).map((section) => section.direction),
      answered: medley.mediaSections(answer).map((section) => section.direction),
      frames,
      presenterReceives: presenterStats.inbound.video !== undefined,
      presenterSends: presenterStats.outbound.video?.packets ?? 0,
      viewerLocalStream: viewer.getLocalStream() === undefined,
    };
  });
  expect(result.offered).toEqual(['sendonly', 'sendonly']);
  expect(result.answered).toEqual(['recvonly', 'recvonly']);
  expect(result.frames).toBeGreaterThan(0);
  expect(result.presenterReceives).toBe(false);
  expect(result.presenterSends).toBeGreaterThan(0);
  expect(result.viewerLocalStream).toBe(true);
});

test('a recvonly viewer offers with recvonly transceivers and a sendonly peer answers', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { medley, harness } = window;
    const viewer = new medley.WebRtcPeer({
      mode: 'recvonly',
      mediaConstraints: { audio: false, video: true },
    });
    const presenter = new medley.WebRtcPeer({ mode: 'sendonly' });
    await harness.connect(viewer, presenter);
    const frames = await harness.decodesVideo(viewer);
    const offer = viewer.peerConnection.localDescription?.sdp ?? '';
    const answer = viewer.peerConnection.remoteDescription?.sdp ?? '';
    return {
      offered: medley.mediaSections(offer).map(({ kind, direction }) => `${kind}:${direction}`),
      answered: medley.mediaSections(answer).map(({ kind, direction }) => `${kind}:${direction}`),
      frames,
      remoteKinds: viewer
        .getRemoteStream()
        .getTracks()
        .map((track) => track.kind),
    };
  });
  expect(result.offered).toEqual(['video:recvonly']);
  expect(result.answered).toEqual(['video:sendonly']);
  expect(result.frames).toBeGreaterThan(0);
  expect(result.remoteKinds).toEqual(['video']);
});

test('a screen shared with sendSource "screen" arrives with its audio', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const { medley, harness } = window;
    const sharer = await medley.createSendonlyPeer({ sendSource: 'screen' });
    const viewer = await medley.createRecvonlyPeer();
    await harness.connect(viewer, sharer);
    const frames = await harness.decodesVideo(viewer);
    return {
      frames,
      sharedTracks: sharer
        .getLocalStream()
        ?.getTracks()
        .map((track) => `${track.kind}:${track.label}`),
      audioPackets: (await viewer.getStats()).inbound.audio?.packets ?? 0,
    };
  });
  expect(result.frames).toBeGreaterThan(0);
  expect(result.sharedTracks).toEqual(expect.arrayContaining(['audio:Fake audio']));
  expect(result.sharedTracks?.find((track) => track.startsWith('video:screen'))).toBeTruthy();
  expect(result.audioPackets).toBeGreaterThan(0);
});

test('getStats() summarises bitrates, frame rate, resolution, jitter and round-trip time', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { medley, harness } = window;
    const alice = new medley.WebRtcPeer({ mode: 'sendrecv' });
    const bob = new medley.WebRtcPeer({ mode: 'sendrecv' });
    await harness.connect(alice, bob);
    await harness.decodesVideo(bob);
    const first = await bob.getStats();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const second = await bob.getStats();
    return {
      firstBitrate: first.inbound.video?.bitrate ?? null,
      inbound: second.inbound.video,
      outbound: second.outbound.video,
      audioJitter: second.inbound.audio?.jitter,
      roundTripTime: second.roundTripTime,
      rawEntries: second.report.size,
      rawHasInboundRtp: [...second.report.values()].some(
        (stat: { type: string }) => stat.type === 'inbound-rtp',
      ),
    };
  });
  expect(result.firstBitrate).toBeNull();
  expect(result.inbound?.bitrate).toBeGreaterThan(10_000);
  expect(result.outbound?.bitrate).toBeGreaterThan(10_000);
  expect(result.inbound?.framesPerSecond).toBeGreaterThan(0);
  expect(result.inbound?.frameWidth).toBe(640);
  expect(result.inbound?.frameHeight).toBe(480);
  expect(result.inbound?.packetsLost).toBeGreaterThanOrEqual(0);
  expect(result.inbound?.jitter).toBeGreaterThanOrEqual(0);
  expect(result.audioJitter).toBeGreaterThanOrEqual(0);
  expect(result.roundTripTime).toBeGreaterThanOrEqual(0);
  expect(result.rawEntries).toBeGreaterThan(5);
  expect(result.rawHasInboundRtp).toBe(true);
});
