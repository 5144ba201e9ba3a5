import { expect, test } from '@playwright/test';

test.beforeEach(async ({ page }) => {
  await page.goto('/peer.html');
});

test('videoEnabled = false sends black frames and true brings the picture back', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { medley, harness } = window;
    const bobVideo = harness.video('bob-remote');
    const alice = new medley.WebRtcPeer({ mode: 'sendonly' });
    const bob = new medley.WebRtcPeer({ mode: 'recvonly', remoteVideo: bobVideo });
    await harness.connect(alice, bob);
    await harness.decodesVideo(bob);
    await harness.playsOn(bobVideo);
    const before = harness.brightness(bobVideo);
    alice.videoEnabled = false;
    const muted = {
      getter: alice.videoEnabled,
      trackEnabled: alice.getLocalStream()?.getVideoTracks()[0]?.enabled,
      audioStillEnabled: alice.audioEnabled,
    };
    const dark = await harness.waitFor('black remote frames', () => {
      const value = harness.brightness(bobVideo);
      return value < 2 ? value : undefined;
    });
    alice.videoEnabled = true;
    const back = await harness.waitFor('the picture back', () => {
      const value = harness.brightness(bobVideo);
      return value > 20 ? value : undefined;
    });
    alice.audioEnabled = false;
    return {
      before,
      muted,
      dark,
      back,
      audioMuted: alice.audioEnabled,
      audioTrackEnabled: alice.getLocalStream()?.getAudioTracks()[0]?.enabled,
    };
  });
  expect(result.before).toBeGreaterThan(20);
  expect(result.muted).toEqual({ getter: false, trackEnabled: false, audioStillEnabled: true });
  expect(result.dark).toBeLessThan(2);
  expect(result.back).toBeGreaterThan(20);
  expect(result.audioMuted).toBe(false);
  expect(result.audioTrackEnabled).toBe(false);
});

test('switchDevice() swaps the microphone and camera without renegotiating, stopping only its own old tracks', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { medley, harness } = window;
    const alice = new medley.WebRtcPeer({ mode: 'sendonly' });
    const bob = new medley.WebRtcPeer({ mode: 'recvonly' });
    await harness.connect(alice, bob);
    await harness.decodesVideo(bob);
    const offer = alice.peerConnection.localDescription?.sdp;
    const devices = await navigator.mediaDevices.enumerateDevices();
    const microphone = devices.filter((device) => device.kind === 'audioinput').at(-1);
    const camera = devices.find((device) => device.kind === 'videoinput');
    const oldAudio = alice.getLocalStream()?.getAudioTracks()[0];
    const oldVideo = alice.getLocalStream()?.getVideoTracks()[0];
    const newAudio = await alice.switchDevice('audio', microphone?.deviceId ?? '');
    const newVideo = await alice.switchDevice('video', camera?.deviceId ?? '');
    const newStates = [newAudio.readyState, newVideo.readyState];
    const senders = alice.peerConnection.getSenders().map((sender) => sender.track);
    const frames = await harness.decodesVideo(bob);
    // Tracks the caller owns are sent, but never stopped by the peer when replaced.
    const callerTrack = () => {
      const canvas = document.createElement('canvas');
      canvas.getContext('2d')?.fillRect(0, 0, 10, 10);
      return canvas.captureStream(10).getVideoTracks()[0] as MediaStreamTrack;
    };
    const firstCallerTrack = callerTrack();
    await alice.replaceTrack(firstCallerTrack);
    await alice.replaceTrack(callerTrack());
    return {
      oldStates: [oldAudio?.readyState, oldVideo?.readyState],
      newStates,
      microphoneLabel: microphone?.label,
      newAudioLabel: newAudio.label,
      sendsNewTracks: senders.includes(newAudio) && senders.includes(newVideo),
      localStreamHasNew: alice.getLocalStream()?.getTracks().includes(newAudio),
      renegotiated: alice.peerConnection.localDescription?.sdp !== offer,
      frames,
      replacedOwnTrack: newVideo.readyState,
      replacedCallerTrack: firstCallerTrack.readyState,
    };
  });
  expect(result.oldStates).toEqual(['ended', 'ended']);
  expect(result.newStates).toEqual(['live', 'live']);
  expect(result.newAudioLabel).toBe(result.microphoneLabel);
  expect(result.sendsNewTracks).toBe(true);
  expect(result.localStreamHasNew).toBe(true);
  expect(result.renegotiated).toBe(false);
  expect(result.frames).toBeGreaterThan(0);
  expect(result.replacedOwnTrack).toBe('ended');
  expect(result.replacedCallerTrack).toBe('live');
});

test('maxVideoBitrate caps the sender encodings and setMaxBitrate() changes the cap live', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { medley, harness } = window;
    const alice = new medley.WebRtcPeer({
      mode: 'sendonly',
      maxVideoBitrate: 300_000,
      maxAudioBitrate: 24_000,
    });
    const bob = new medley.WebRtcPeer({ mode: 'recvonly' });
    await harness.connect(alice, bob);
    await harness.decodesVideo(bob);
    const caps = () =>
      Object.fromEntries(
        alice.peerConnection
          .getSenders()
          .map((sender) => [sender.track?.kind, sender.getParameters().encodings[0]?.maxBitrate]),
      );
    const initial = await harness.waitFor('caps applied', () => {
      const value = caps();
      return value.video === 300_000 ? value : undefined;
    });
    await alice.setMaxBitrate('video', 150_000);
    const lowered = caps();
    await alice.setMaxBitrate('video', undefined);
    return { initial, lowered, lifted: caps(), frames: await harness.decodesVideo(bob) };
  });
  expect(result.initial).toEqual({ audio: 24_000, video: 300_000 });
  expect(result.lowered).toEqual({ audio: 24_000, video: 150_000 });
  expect(result.lifted.video).toBeUndefined();
  expect(result.frames).toBeGreaterThan(0);
});
