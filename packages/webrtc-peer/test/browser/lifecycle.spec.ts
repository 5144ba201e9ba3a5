import { expect, test } from '@playwright/test';

test.beforeEach(async ({ page }) => {
  await page.goto('/peer.html');
});

test('dispose() closes the connection and stops its own tracks but leaves the caller tracks live', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { medley, harness } = window;
    const callerStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const aliceLocal = harness.video('alice-local');
    const bobRemote = harness.video('bob-remote');
    const alice = new medley.WebRtcPeer({
      mode: 'sendrecv',
      videoStream: callerStream,
      localVideo: aliceLocal,
    });
    const bob = new medley.WebRtcPeer({ mode: 'sendrecv', remoteVideo: bobRemote });
    await harness.connect(alice, bob);
    await harness.decodesVideo(bob);
    const localVideoMuted = aliceLocal.muted;
    const localVideoShowed = aliceLocal.srcObject === alice.getLocalStream();
    const bobOwnTracks = bob.getLocalStream()?.getTracks() ?? [];
    let bobCandidateEvents = 0;
    bob.on('icecandidate', () => bobCandidateEvents++);
    alice.dispose();
    bob.dispose();
    alice.dispose();
    // The caller's stream still plays after the peer that sent it is gone.
    const check = harness.video('caller-check');
    check.muted = true;
    check.srcObject = callerStream;
    await check.play();
    const plays = await harness.playsOn(check, 0.3);
    return {
      localVideoMuted,
      localVideoShowed,
      callerTracks: callerStream.getTracks().map((track) => track.readyState),
      bobOwnTracks: bobOwnTracks.map((track) => track.readyState),
      connectionStates: [alice, bob].map((peer) => peer.peerConnection.connectionState),
      videoElements: [aliceLocal.srcObject, bobRemote.srcObject],
      listeners: bob.listenerCount('icecandidate') + bobCandidateEvents,
      plays,
    };
  });
  expect(result.localVideoMuted).toBe(true);
  expect(result.localVideoShowed).toBe(true);
  expect(result.callerTracks).toEqual(['live', 'live']);
  expect(result.bobOwnTracks).toEqual(['ended', 'ended']);
  expect(result.connectionStates).toEqual(['closed', 'closed']);
  expect(result.videoElements).toEqual([null, null]);
  expect(result.listeners).toBe(0);
  expect(result.plays).toBeGreaterThan(0);
});

test('wrong calls reject with INVALID_STATE or NEGOTIATION_FAILED and a message that says what to do', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { medley, harness } = window;
    const outcome = async (call: () => Promise<unknown>) => {
      try {
        await call();
        return 'resolved';
      } catch (error) {
        if (!(error instanceof medley.WebRtcPeerError)) return `foreign: ${String(error)}`;
        return `${error.code}: ${error.message}`;
      }
    };
    const alice = new medley.WebRtcPeer({ mode: 'sendrecv' });
    const bob = new medley.WebRtcPeer({ mode: 'sendrecv' });
    harness.trickle(alice, bob);
    harness.trickle(bob, alice);
    const answerBeforeOffer = await outcome(() => alice.processAnswer('v=0\r\n'));
    const offer = await alice.generateOffer();
    const secondOffer = await outcome(() => alice.generateOffer());
    const offerWhileOffering = await outcome(() => alice.processOffer(offer));
    const garbage = await outcome(() => alice.processAnswer('<html>502 Bad Gateway</html>'));
    const descriptionObject = await outcome(() =>
      alice.processAnswer({ type: 'answer', sdp: offer } as unknown as string),
    );
    const answer = await bob.processOffer(offer);
    const noFingerprint = await outcome(() =>
      alice.processAnswer(answer.replaceAll(/a=fingerprint:.*\r\n/g, '')),
    );
    // The peer survives the bad answers: the real one completes the session.
    const realAnswer = await outcome(() => alice.processAnswer(answer));
    const frames = await harness.decodesVideo(alice);
    const answerTwice = await outcome(() => alice.processAnswer(answer));
    const garbageOffer = await outcome(() => bob.processOffer('hello'));
    alice.dispose();
    const afterDispose = await Promise.all([
      outcome(() => alice.generateOffer()),
      outcome(() => alice.processAnswer(answer)),
      outcome(() => alice.processOffer(offer)),
      outcome(() => alice.addIceCandidate({ candidate: '', sdpMid: '0' })),
      outcome(() => alice.send('x')),
      outcome(() => alice.getStats()),
      outcome(() => alice.restartIce()),
    ]);
    return {
      answerBeforeOffer,
      secondOffer,
      offerWhileOffering,
      garbage,
      descriptionObject,
      noFingerprint,
      realAnswer,
      frames,
      answerTwice,
      garbageOffer,
      afterDispose,
      errorName: new medley.WebRtcPeerError('ICE_FAILED', 'x').name,
    };
  });
  expect(result.answerBeforeOffer).toMatch(/^INVALID_STATE: .*call generateOffer\(\) first/);
  expect(result.secondOffer).toMatch(/^INVALID_STATE: .*processAnswer\(\)/);
  expect(result.offerWhileOffering).toMatch(/^INVALID_STATE: /);
  expect(result.garbage).toMatch(/^NEGOTIATION_FAILED: Invalid SDP answer: .*v=0/);
  expect(result.descriptionObject).toMatch(/^NEGOTIATION_FAILED: .*\(pass \.sdp\)/);
  expect(result.noFingerprint).toMatch(/^NEGOTIATION_FAILED: Applying the SDP answer failed: /);
  expect(result.realAnswer).toBe('resolved');
  expect(result.frames).toBeGreaterThan(0);
  expect(result.answerTwice).toMatch(/^INVALID_STATE: /);
  expect(result.garbageOffer).toMatch(/^NEGOTIATION_FAILED: Invalid SDP offer/);
  expect(result.afterDispose).toHaveLength(7);
  for (const outcome of result.afterDispose) {
    expect(outcome).toMatch(/^INVALID_STATE: .*after dispose\(\): create a new WebRtcPeer/);
  }
  expect(result.errorName).toBe('WebRtcPeerError');
});

test('a camera that cannot satisfy the constraints fails with CONSTRAINTS_UNSATISFIABLE', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { medley } = window;
    try {
      await medley.createSendrecvPeer({
        mediaConstraints: { video: { deviceId: { exact: 'no-such-camera' } } },
      });
      return 'resolved';
    } catch (error) {
      return error instanceof medley.WebRtcPeerError
        ? `${error.code}: ${error.message}`
        : 'foreign';
    }
  });
  expect(result).toMatch(
    /^CONSTRAINTS_UNSATISFIABLE: .*constraint "deviceId".*Relax mediaConstraints/,
  );
});
