import { expect, test } from '@playwright/test';
import type { KurentoWebRtcPeer } from '../../src/kurento-utils.js';

interface HelloWorldPage {
  webRtcPeer: KurentoWebRtcPeer | null;
  errors: string[];
  videoInput: HTMLVideoElement;
  videoOutput: HTMLVideoElement;
}

test('the Kurento hello-world page runs unchanged on kurento-utils.min.js, loopback video plays', async ({
  page,
}) => {
  await page.goto('/kurento-hello-world.html');
  await page.click('#start');
  await page.waitForFunction(
    () => (document.getElementById('videoOutput') as HTMLVideoElement).currentTime > 1,
  );
  const running = await page.evaluate(async () => {
    const tutorial = window as unknown as HelloWorldPage;
    const peer = tutorial.webRtcPeer as KurentoWebRtcPeer;
    const stats = [...(await peer.peerConnection.getStats()).values()] as Array<
      Record<string, unknown>
    >;
    const inboundVideo = stats.find((stat) => stat.type === 'inbound-rtp' && stat.kind === 'video');
    const candidates = window.helloWorldServer.received
      .filter((message) => message.id === 'onIceCandidate')
      .map((message) => message.candidate as Record<string, unknown>);
    return {
      framesDecoded: inboundVideo?.framesDecoded,
      messageIds: [...new Set(window.helloWorldServer.received.map((message) => message.id))],
      candidateKeys: Object.keys(candidates[0] ?? {}).sort(),
      localShown: tutorial.videoInput.srcObject === peer.getLocalStream(),
      localMuted: tutorial.videoInput.muted,
      remoteShown: tutorial.videoOutput.srcObject === peer.getRemoteStream(),
      localTracks: peer.getLocalStream()?.getTracks().length,
      errors: tutorial.errors,
      usesGlobalOfKurentoBundle: typeof (window as { medley?: unknown }).medley,
    };
  });
  expect(running.framesDecoded).toBeGreaterThan(0);
  expect(running.messageIds).toEqual(['start', 'onIceCandidate']);
  expect(running.candidateKeys).toEqual([
    'candidate',
    'sdpMLineIndex',
    'sdpMid',
    'usernameFragment',
  ]);
  expect(running.localShown).toBe(true);
  expect(running.localMuted).toBe(true);
  expect(running.remoteShown).toBe(true);
  expect(running.localTracks).toBe(2);
  expect(running.errors).toEqual([]);
  expect(running.usesGlobalOfKurentoBundle).toBe('undefined');

  const tracks = await page.evaluate(() => {
    const tutorial = window as unknown as HelloWorldPage;
    const peer = tutorial.webRtcPeer as KurentoWebRtcPeer;
    const local = peer.getLocalStream()?.getTracks() ?? [];
    const connection = peer.peerConnection;
    (document.getElementById('stop') as HTMLButtonElement).click();
    return {
      localStates: local.map((track) => track.readyState),
      connection: connection.signalingState,
      videos: [tutorial.videoInput.srcObject, tutorial.videoOutput.srcObject],
      peerVariable: tutorial.webRtcPeer,
    };
  });
  expect(tracks).toEqual({
    localStates: ['ended', 'ended'],
    connection: 'closed',
    videos: [null, null],
    peerVariable: null,
  });
});

test('kurento-utils constructors work with and without new and call back asynchronously, bound to the peer', async ({
  page,
}) => {
  await page.goto('/kurento-umd.html');
  const result = await page.evaluate(async () => {
    const { WebRtcPeer } = window.harness.kurentoUtils();
    let assigned: KurentoWebRtcPeer | undefined;
    const called = await new Promise<{ error: unknown; boundToPeer: boolean; seen: boolean }>(
      (resolve) => {
        assigned = WebRtcPeer.WebRtcPeerRecvonly({}, function (error) {
          resolve({ error, boundToPeer: this === assigned, seen: assigned !== undefined });
        });
      },
    );
    let constructed: KurentoWebRtcPeer | undefined;
    const newed = await new Promise<{ error: unknown; boundToPeer: boolean }>((resolve) => {
      constructed = new WebRtcPeer.WebRtcPeerSendonly(function (error) {
        resolve({ error, boundToPeer: this === constructed });
      });
    });
    const generic = WebRtcPeer.WebRtcPeer('sendrecv', { id: 'given-id' });
    const ownConnection = new RTCPeerConnection({ iceServers: [] });
    const onOwnConnection = WebRtcPeer.WebRtcPeerRecvonly({ peerConnection: ownConnection });
    return {
      called,
      newed,
      instanceOf: [
        assigned instanceof WebRtcPeer.WebRtcPeerRecvonly,
        constructed instanceof WebRtcPeer.WebRtcPeerSendonly,
        generic instanceof WebRtcPeer.WebRtcPeer,
      ],
      genericId: generic.id,
      usesGivenConnection: onOwnConnection.peerConnection === ownConnection,
      sendonlyTracks: constructed?.getLocalStream()?.getTracks().length,
      recvonlyLocal: assigned?.getLocalStream() ?? null,
    };
  });
  expect(result.called).toEqual({ error: undefined, boundToPeer: true, seen: true });
  expect(result.newed).toEqual({ error: undefined, boundToPeer: true });
  expect(result.instanceOf).toEqual([true, true, true]);
  expect(result.genericId).toBe('given-id');
  expect(result.usesGivenConnection).toBe(true);
  expect(result.sendonlyTracks).toBe(2);
  expect(result.recvonlyLocal).toBeNull();
});

test('a kurento-utils presenter and viewer negotiate through callbacks, with data channel and mute', async ({
  page,
}) => {
  await page.goto('/kurento-umd.html');
  const result = await page.evaluate(async () => {
    const { harness } = window;
    const { WebRtcPeer } = harness.kurentoUtils();
    const viewerVideo = harness.video('viewer');
    const presenterMessages: string[] = [];
    let gatheringDone = false;
    const ready = (create: (done: (error?: unknown) => void) => KurentoWebRtcPeer) =>
      new Promise<KurentoWebRtcPeer>((resolve, reject) => {
        const peer = create((error) => (error ? reject(error) : resolve(peer)));
      });
    const presenter = await ready((done) =>
      WebRtcPeer.WebRtcPeerSendonly(
        {
          simulcast: true,
          dataChannels: true,
          dataChannelConfig: {
            id: 'chat',
            onmessage(event) {
              presenterMessages.push(`${this.label}:${event.data}`);
            },
          },
          oncandidategatheringdone: () => {
            gatheringDone = true;
          },
        },
        done,
      ),
    );
    const addedStreams: MediaStream[] = [];
    const viewer = await ready((done) =>
      WebRtcPeer.WebRtcPeerRecvonly(
        { remoteVideo: viewerVideo, onaddstream: ({ stream }) => addedStreams.push(stream) },
        done,
      ),
    );
    const candidateCallbacks: unknown[] = [];
    presenter.on('icecandidate', (candidate) =>
      viewer.addIceCandidate(harness.overTheWire(candidate), (error) =>
        candidateCallbacks.push(error ?? 'ok'),
      ),
    );
    viewer.on('icecandidate', (candidate) =>
      presenter.addIceCandidate(harness.overTheWire(candidate)),
    );
    const offer = await new Promise<{ sdp: string; processAnswer: unknown }>((resolve, reject) =>
      presenter.generateOffer((error, sdp, processAnswer) =>
        error ? reject(error) : resolve({ sdp: sdp ?? '', processAnswer }),
      ),
    );
    const answer = await new Promise<string>((resolve, reject) =>
      viewer.processOffer(offer.sdp, (error, sdp) => (error ? reject(error) : resolve(sdp ?? ''))),
    );
    const answered = await new Promise((resolve) => presenter.processAnswer(answer, resolve));
    const frames = await harness.decodesVideo(viewer.peer);
    await harness.playsOn(viewerVideo);
    await harness.waitFor(
      'the data channel',
      () => viewer.dataChannel?.readyState === 'open' || undefined,
    );
    viewer.send('hello');
    await harness.waitFor('the message', () => presenterMessages.length > 0 || undefined);
    const enabledBefore = [presenter.audioEnabled, presenter.videoEnabled, presenter.enabled];
    presenter.videoEnabled = false;
    const enabledAfter = [presenter.audioEnabled, presenter.videoEnabled, presenter.enabled];
    const videoTrackEnabled = presenter.getLocalStream()?.getVideoTracks()[0]?.enabled;
    const frame = viewer.currentFrame;
    return {
      processAnswerGiven: typeof offer.processAnswer,
      simulcast: offer.sdp.includes('a=simulcast:send q;h;f'),
      answered: answered ?? 'no error',
      frames,
      candidateCallbacks: [...new Set(candidateCallbacks)],
      gatheringDone,
      presenterMessages,
      channelLabel: presenter.dataChannel?.label,
      enabledBefore,
      enabledAfter,
      videoTrackEnabled,
      frameSize: [frame?.width, frame?.height],
      addedStreams: addedStreams.map((stream) => stream.getTracks().length),
      videoSize: [viewerVideo.videoWidth, viewerVideo.videoHeight],
      descriptors: [
        presenter.getLocalSessionDescriptor()?.type,
        presenter.getRemoteSessionDescriptor()?.type,
      ],
    };
  });
  expect(result.processAnswerGiven).toBe('function');
  expect(result.simulcast).toBe(true);
  expect(result.answered).toBe('no error');
  expect(result.frames).toBeGreaterThan(0);
  expect(result.candidateCallbacks).toEqual(['ok']);
  expect(result.gatheringDone).toBe(true);
  expect(result.presenterMessages).toEqual(['chat:hello']);
  expect(result.channelLabel).toBe('chat');
  expect(result.enabledBefore).toEqual([true, true, true]);
  expect(result.enabledAfter).toEqual([true, false, false]);
  expect(result.videoTrackEnabled).toBe(false);
  expect(result.frameSize).toEqual(result.videoSize);
  expect(result.frameSize[0]).toBeGreaterThan(0);
  expect(result.descriptors).toEqual(['offer', 'answer']);
  expect(result.addedStreams, 'onaddstream: once, for the one remote stream').toEqual([2]);
});

test('a kurento-utils constructor reports a capture failure to its callback, with a code', async ({
  page,
}) => {
  await page.goto('/kurento-umd.html');
  const error = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const { WebRtcPeer } = window.harness.kurentoUtils();
        WebRtcPeer.WebRtcPeerSendrecv(
          { mediaConstraints: { audio: true, video: { deviceId: { exact: 'missing' } } } },
          (failure) => {
            const { code, message } = failure as { code?: string; message?: string };
            resolve(`${code}: ${message}`);
          },
        );
      }),
  );
  expect(error).toMatch(/^CONSTRAINTS_UNSATISFIABLE: /);
});

test('the medley bundle leaves a kurentoUtils the page already defined alone', async ({ page }) => {
  await page.goto('/kurento-predefined.html');
  const globals = await page.evaluate(() => ({
    pageOwn: (window as { kurentoUtils?: { ownedByThePage?: boolean } }).kurentoUtils
      ?.ownedByThePage,
    viaMedley: typeof window.medley.kurentoUtils.WebRtcPeer.WebRtcPeerSendrecv,
    medleyPeer: typeof window.medley.WebRtcPeer,
  }));
  expect(globals).toEqual({ pageOwn: true, viaMedley: 'function', medleyPeer: 'function' });
});

test('bufferizeCandidates holds candidates until the remote description is set, in order', async ({
  page,
}) => {
  await page.goto('/kurento-umd.html');
  const result = await page.evaluate(async () => {
    const { WebRtcPeer } = window.harness.kurentoUtils();
    const offerer = new RTCPeerConnection({ iceServers: [] });
    const answerer = new RTCPeerConnection({ iceServers: [] });
    offerer.createDataChannel('probe');
    const gathered: RTCIceCandidateInit[] = [];
    const gatheringDone = new Promise<void>((resolve) => {
      offerer.onicecandidate = ({ candidate }) => {
        if (candidate) gathered.push(candidate.toJSON());
        else resolve();
      };
    });
    await offerer.setLocalDescription(await offerer.createOffer());
    await gatheringDone;
    const errors: unknown[] = [];
    const add = WebRtcPeer.bufferizeCandidates(answerer, (error) => errors.push(error));
    const added: string[] = [];
    for (const candidate of gathered)
      add(candidate, (error) => added.push(error ? `error ${error}` : 'added'));
    const heldBeforeAnswer = added.length;
    await answerer.setRemoteDescription(offerer.localDescription as RTCSessionDescriptionInit);
    await answerer.setLocalDescription(await answerer.createAnswer());
    await new Promise((resolve) => setTimeout(resolve, 200));
    answerer.close();
    const closed = await new Promise<string>((resolve) =>
      add(gathered[0] as RTCIceCandidateInit, (error) => resolve(String(error))),
    );
    offerer.close();
    return { candidates: gathered.length, heldBeforeAnswer, added, errors, closed };
  });
  expect(result.candidates).toBeGreaterThan(0);
  expect(result.heldBeforeAnswer).toBe(0);
  expect(result.added).toEqual(new Array(result.candidates).fill('added'));
  expect(result.errors).toEqual([]);
  expect(result.closed).toBe('Error: PeerConnection object is closed');
});

test('hark says speaking when a stream gets loud and stopped_speaking when it goes quiet', async ({
  page,
}) => {
  await page.goto('/kurento-umd.html');
  const events = await page.evaluate(async () => {
    const { WebRtcPeer } = window.harness.kurentoUtils();
    const context = new AudioContext();
    await context.resume();
    const tone = context.createOscillator();
    const gain = context.createGain();
    gain.gain.value = 0;
    const output = context.createMediaStreamDestination();
    tone.connect(gain).connect(output);
    tone.start();
    const seen: string[] = [];
    let loudest = Number.NEGATIVE_INFINITY;
    const harker = WebRtcPeer.hark(output.stream, { interval: 20, threshold: -50 });
    harker.on('speaking', () => seen.push('speaking'));
    harker.on('stopped_speaking', () => seen.push('stopped_speaking'));
    harker.on('volume_change', (volume) => {
      loudest = Math.max(loudest, volume);
    });
    const waitFor = (event: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${event}: ${seen}`)), 5000);
        harker.on(event as 'speaking', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const quietAtFirst = [...seen];
    const speaking = waitFor('speaking');
    gain.gain.value = 0.5;
    await speaking;
    const stopped = waitFor('stopped_speaking');
    gain.gain.value = 0;
    await stopped;
    harker.stop();
    await context.close();
    return { quietAtFirst, seen, loudest, speakingAfterStop: harker.speaking };
  });
  expect(events.quietAtFirst).toEqual([]);
  expect(events.seen).toEqual(['speaking', 'stopped_speaking']);
  expect(events.loudest).toBeGreaterThan(-50);
  expect(events.speakingAfterStop).toBe(false);
});

test('an error thrown by a page callback is reported as uncaught, not swallowed', async ({
  page,
}) => {
  await page.goto('/kurento-umd.html');
  const reported = await page.evaluate(
    () =>
      new Promise<string[]>((resolve) => {
        const seen: string[] = [];
        window.addEventListener('error', (event) => {
          seen.push(String(event.error?.message ?? event.message));
          if (seen.length === 2) resolve(seen);
        });
        const { WebRtcPeer } = window.harness.kurentoUtils();
        const peer = WebRtcPeer.WebRtcPeerRecvonly({}, () => {
          throw new Error('thrown by the constructor callback');
        });
        peer.generateOffer(() => {
          throw new Error('thrown by the offer callback');
        });
      }),
  );
  expect(reported.sort()).toEqual([
    'thrown by the constructor callback',
    'thrown by the offer callback',
  ]);
});

test('getLocalStream() is the videoStream and audioStream given, themselves', async ({ page }) => {
  await page.goto('/kurento-umd.html');
  const same = await page.evaluate(async () => {
    const { WebRtcPeer } = window.harness.kurentoUtils();
    const camera = await navigator.mediaDevices.getUserMedia({ video: true });
    const microphone = await navigator.mediaDevices.getUserMedia({ audio: true });
    const both = await new Promise<KurentoWebRtcPeer>((resolve) => {
      const peer = WebRtcPeer.WebRtcPeerSendonly(
        { videoStream: camera, audioStream: microphone },
        () => resolve(peer),
      );
    });
    const audioOnly = await new Promise<KurentoWebRtcPeer>((resolve) => {
      const peer = WebRtcPeer.WebRtcPeerSendonly({ audioStream: microphone }, () => resolve(peer));
    });
    const sent = both.peerConnection
      .getSenders()
      .map((sender) => sender.track?.kind)
      .sort();
    const result = {
      video: both.getLocalStream() === camera,
      audio: both.getLocalStream(1) === microphone,
      audioOnly: audioOnly.getLocalStream() === microphone,
      sent,
    };
    both.dispose();
    audioOnly.dispose();
    for (const track of [...camera.getTracks(), ...microphone.getTracks()]) track.stop();
    return result;
  });
  expect(same).toEqual({ video: true, audio: true, audioOnly: true, sent: ['audio', 'video'] });
});
