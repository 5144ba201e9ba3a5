import { expect, test } from '@playwright/test';

test.beforeEach(async ({ page }) => {
  await page.goto('/peer.html');
});

test('remote candidates that arrive before the description are queued and applied in order', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { medley, harness } = window;
    const alice = new medley.WebRtcPeer({ mode: 'sendrecv' });
    const bob = new medley.WebRtcPeer({ mode: 'sendrecv' });
    const gathered = (peer: typeof alice) => {
      const candidates: RTCIceCandidateInit[] = [];
      peer.on('icecandidate', (candidate) => candidates.push(harness.overTheWire(candidate)));
      return new Promise<RTCIceCandidateInit[]>((resolve) =>
        peer.once('icegatheringdone', () => resolve(candidates)),
      );
    };
    // Every candidate of each side reaches the other before the SDP it belongs to.
    const aliceGathered = gathered(alice);
    const offer = await alice.generateOffer();
    const aliceCandidates = await aliceGathered;
    let settledEarly = 0;
    const bobAdds = aliceCandidates.map((candidate) =>
      bob.addIceCandidate(candidate).then(() => settledEarly++),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const heldByBob = settledEarly;

    const bobGathered = gathered(bob);
    const answer = await bob.processOffer(offer);
    await Promise.all(bobAdds);
    const bobCandidates = await bobGathered;
    settledEarly = 0;
    const aliceAdds = bobCandidates.map((candidate) =>
      alice.addIceCandidate(candidate).then(() => settledEarly++),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const heldByAlice = settledEarly;
    await alice.processAnswer(answer);
    await Promise.all(aliceAdds);
    const frames = await harness.decodesVideo(alice);

    // Chromium writes applied remote candidates into the remote description, in order applied
    // (without their ufrag extension): compare foundation, component, transport, address, port.
    const essentials = (candidate: string) => candidate.split(' ').slice(0, 6).join(' ');
    const applied = (peer: typeof alice) =>
      (peer.peerConnection.remoteDescription?.sdp ?? '')
        .split('\r\n')
        .filter((line) => line.startsWith('a=candidate:'))
        .map((line) => essentials(line.slice(2)));
    const firstMid = (candidates: RTCIceCandidateInit[]) =>
      candidates
        .filter((candidate) => candidate.sdpMid === candidates[0]?.sdpMid)
        .map((candidate) => essentials(candidate.candidate ?? ''));
    return {
      aliceCandidates: firstMid(aliceCandidates),
      bobCandidates: firstMid(bobCandidates),
      appliedByBob: applied(bob),
      appliedByAlice: applied(alice),
      heldByBob,
      heldByAlice,
      frames,
    };
  });
  expect(result.aliceCandidates.length).toBeGreaterThan(0);
  expect(result.bobCandidates.length).toBeGreaterThan(0);
  expect(result.heldByBob).toBe(0);
  expect(result.heldByAlice).toBe(0);
  expect(result.appliedByBob.slice(0, result.aliceCandidates.length)).toEqual(
    result.aliceCandidates,
  );
  expect(result.appliedByAlice.slice(0, result.bobCandidates.length)).toEqual(result.bobCandidates);
  expect(result.frames).toBeGreaterThan(0);
});

test('local candidates gathered before anyone listens are delivered to the first listener', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { medley } = window;
    const peer = new medley.WebRtcPeer({ mode: 'recvonly' });
    await peer.generateOffer();
    await new Promise<void>((resolve) => {
      const wait = () =>
        peer.peerConnection.iceGatheringState === 'complete' ? resolve() : setTimeout(wait, 50);
      wait();
    });
    const candidates: string[] = [];
    peer.on('icecandidate', (candidate) => candidates.push(candidate.candidate));
    let done = false;
    peer.on('icegatheringdone', () => {
      done = true;
    });
    return { candidates, done };
  });
  expect(result.candidates.length).toBeGreaterThan(0);
  expect(result.candidates.every((candidate) => candidate.startsWith('candidate:'))).toBe(true);
  expect(result.done).toBe(true);
});

test('restartIce() yields an offer with fresh ICE credentials and media keeps flowing', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { medley, harness } = window;
    const alice = new medley.WebRtcPeer({ mode: 'sendrecv' });
    const bob = new medley.WebRtcPeer({ mode: 'sendrecv' });
    await harness.connect(alice, bob);
    await harness.decodesVideo(bob);
    const ufrag = (sdp: string | undefined) => medley.mediaSections(sdp ?? '')[0]?.iceUfrag;
    const before = {
      alice: ufrag(alice.peerConnection.localDescription?.sdp),
      bob: ufrag(bob.peerConnection.localDescription?.sdp),
    };
    const offer = await alice.restartIce();
    const answer = await bob.processOffer(offer);
    await alice.processAnswer(answer);
    const after = { alice: ufrag(offer), bob: ufrag(answer) };
    // The selected pair moves to the new ICE generation.
    const iceTransport = alice.peerConnection.getSenders()[0]?.transport?.iceTransport;
    const selectedUfrag = await harness.waitFor('a candidate pair of the new generation', () => {
      const pair = iceTransport?.getSelectedCandidatePair();
      if (!pair || pair.local?.usernameFragment !== after.alice) return undefined;
      return pair.remote?.usernameFragment;
    });
    const frames = await harness.decodesVideo(bob);
    return {
      before,
      after,
      selectedUfrag,
      frames,
      state: alice.peerConnection.connectionState,
      candidateErrors: harness.candidateErrors,
    };
  });
  expect(result.after.alice).not.toBe(result.before.alice);
  expect(result.after.bob).not.toBe(result.before.bob);
  expect(result.selectedUfrag).toBe(result.after.bob);
  expect(result.frames).toBeGreaterThan(0);
  expect(result.state).toBe('connected');
  expect(result.candidateErrors).toEqual([]);
});

test('configuration reaches RTCPeerConnection and no ICE server is used unless given', async ({
  page,
}) => {
  const result = await page.evaluate(() => {
    const { medley } = window;
    const plain = new medley.WebRtcPeer({ mode: 'recvonly' });
    const configured = new medley.WebRtcPeer({
      mode: 'recvonly',
      configuration: {
        iceServers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' }],
        iceTransportPolicy: 'relay',
      },
    });
    return {
      plain: plain.peerConnection.getConfiguration().iceServers,
      configured: configured.peerConnection.getConfiguration(),
    };
  });
  expect(result.plain).toEqual([]);
  expect(result.configured.iceServers?.[0]?.urls).toEqual(['turn:127.0.0.1:3478']);
  expect(result.configured.iceTransportPolicy).toBe('relay');
});

test('video codec preference decides the negotiated codec', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const { medley, harness } = window;
    const alice = new medley.WebRtcPeer({ mode: 'sendonly', videoCodecs: ['VP9'] });
    const bob = new medley.WebRtcPeer({ mode: 'recvonly' });
    await harness.connect(alice, bob);
    await harness.decodesVideo(bob);
    const { report } = await bob.getStats();
    const stats = [...report.values()] as Array<Record<string, string>>;
    const inbound = stats.find((stat) => stat.type === 'inbound-rtp' && stat.kind === 'video');
    const codec = stats.find((stat) => stat.id === inbound?.codecId);
    const offer = alice.peerConnection.localDescription?.sdp ?? '';
    const firstPayload = /m=video \d+ \S+ (\d+)/.exec(offer)?.[1];
    return {
      offeredFirst: new RegExp(`a=rtpmap:${firstPayload} ([^/]+)`).exec(offer)?.[1],
      decoded: codec?.mimeType,
    };
  });
  expect(result.offeredFirst).toBe('VP9');
  expect(result.decoded).toBe('video/VP9');
});

test('simulcast is offered through sendEncodings without SDP munging, and falls back to the best layer when declined', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { medley, harness } = window;
    const alice = new medley.WebRtcPeer({ mode: 'sendonly', simulcast: true });
    await alice.start();
    const sender = alice.peerConnection.getSenders().find((s) => s.track?.kind === 'video');
    const encodings = sender?.getParameters().encodings.map(({ rid, maxBitrate }) => ({
      rid,
      maxBitrate,
    }));
    const offer = await alice.generateOffer();
    // A Chromium answerer declines simulcast: the browser keeps the first (lowest) layer, which
    // the peer lifts to the best layer's resolution.
    const bob = new medley.WebRtcPeer({ mode: 'recvonly' });
    harness.trickle(alice, bob);
    harness.trickle(bob, alice);
    await alice.processAnswer(await bob.processOffer(offer));
    const frames = await harness.decodesVideo(bob);
    await harness.decodesVideo(bob);
    const received = (await bob.getStats()).inbound.video;
    return {
      encodings,
      receivedSize: [received?.frameWidth, received?.frameHeight],
      sentAfterFallback: sender
        ?.getParameters()
        .encodings.map(({ scaleResolutionDownBy, maxBitrate }) => ({
          scaleResolutionDownBy,
          maxBitrate,
        })),
      simulcastLine: offer.split('\r\n').find((line) => line.startsWith('a=simulcast:')),
      ridLines: offer.split('\r\n').filter((line) => line.startsWith('a=rid:')),
      frames,
    };
  });
  expect(result.encodings).toEqual([
    { rid: 'q', maxBitrate: 150_000 },
    { rid: 'h', maxBitrate: 500_000 },
    { rid: 'f', maxBitrate: 1_500_000 },
  ]);
  expect(result.simulcastLine).toBe('a=simulcast:send q;h;f');
  expect(result.ridLines).toEqual(['a=rid:q send', 'a=rid:h send', 'a=rid:f send']);
  expect(result.frames).toBeGreaterThan(0);
  expect(result.sentAfterFallback).toEqual([{ scaleResolutionDownBy: 1, maxBitrate: 1_500_000 }]);
  // Without the lift the viewer gets the lowest layer, 160x120 (then Chromium's own bandwidth
  // adaptation decides the size, 320x240 or more here).
  expect(result.receivedSize[0]).toBeGreaterThan(160);
});
