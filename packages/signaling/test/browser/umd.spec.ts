import { expect, test } from '@playwright/test';
import type * as MedleySignaling from '../../src/index.js';
import type { BrowserTestProtocol } from './server.js';

declare global {
  interface Window {
    medleySignaling: typeof MedleySignaling;
  }
}

test.beforeEach(async ({ page }) => {
  await page.goto('/');
});

test('a page loads the UMD bundle with a script tag and gets answers to its requests', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { connect, isSignalingError } = window.medleySignaling;
    const client = await connect<BrowserTestProtocol>(location.origin);
    const echoed = await client.request('echo', { text: 'from the page' });
    const refusal = await client.request('fail', { message: 'no seats left' }).catch((error) => ({
      rejected: isSignalingError(error, 'REJECTED'),
      message: (error as Error).message,
    }));
    client.close();
    return { echoed, refusal, state: client.state };
  });
  expect(result.echoed).toEqual({ text: 'from the page' });
  expect(result.refusal).toEqual({ rejected: true, message: 'no seats left' });
  expect(result.state).toBe('disconnected');
});

test('a page resumes its session after the socket drops', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const { connect, ExponentialBackoff } = window.medleySignaling;
    const client = await connect<BrowserTestProtocol>(location.origin, {
      reconnectPolicy: new ExponentialBackoff({ initialDelayMs: 20 }),
    });
    const before = client.sessionId;
    const states: string[] = [];
    client.connection.on('reconnecting', () => states.push(client.state));
    const resumed = new Promise<{ sessionId: string; resumed: boolean }>((resolve) =>
      client.connection.once('connected', resolve),
    );
    client.socket.io.engine.close();
    const after = await resumed;
    const echoed = await client.request('echo', { text: 'after the drop' });
    client.close();
    return { before, after, states, echoed };
  });
  expect(result.after).toEqual({ sessionId: result.before, resumed: true });
  expect(result.states[0]).toBe('reconnecting');
  expect(result.echoed).toEqual({ text: 'after the drop' });
});

test('attachPeer negotiates a browser RTCPeerConnection with a server peer in a few lines', async ({
  page,
}) => {
  const echoed = await page.evaluate(async () => {
    const { connect, attachPeer } = window.medleySignaling;
    // The few lines a page needs, here with a plain RTCPeerConnection standing in for WebRtcPeer.
    const pc = new RTCPeerConnection();
    const listeners = new Set<(candidate: RTCIceCandidate) => void>();
    pc.addEventListener('icecandidate', ({ candidate }) => {
      if (candidate) for (const listener of listeners) listener(candidate);
    });
    const peer = {
      generateOffer: async () => {
        await pc.setLocalDescription();
        return pc.localDescription?.sdp ?? '';
      },
      processAnswer: (sdp: string) => pc.setRemoteDescription({ type: 'answer', sdp }),
      processOffer: async (sdp: string) => {
        await pc.setRemoteDescription({ type: 'offer', sdp });
        await pc.setLocalDescription();
        return pc.localDescription?.sdp ?? '';
      },
      addIceCandidate: (candidate: RTCIceCandidateInit) => pc.addIceCandidate(candidate),
      on: (_event: 'icecandidate', listener: (candidate: RTCIceCandidate) => void) =>
        listeners.add(listener),
      off: (_event: 'icecandidate', listener: (candidate: RTCIceCandidate) => void) =>
        listeners.delete(listener),
    };
    const channel = pc.createDataChannel('chat');

    const signaling = await connect<BrowserTestProtocol>(location.origin);
    await attachPeer(signaling, peer).offer();

    const reply = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no echo; ICE is ${pc.iceConnectionState}`)),
        10_000,
      );
      channel.onopen = () => channel.send('hello over WebRTC');
      channel.onmessage = ({ data }) => {
        clearTimeout(timer);
        resolve(String(data));
      };
    });
    pc.close();
    signaling.close();
    return reply;
  });
  expect(echoed).toBe('echo: hello over WebRTC');
});
