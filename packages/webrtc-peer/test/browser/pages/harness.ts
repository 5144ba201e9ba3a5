// In-page helpers for the browser tests: an in-page signaling channel between two peers and
// waits on what really reached the receiver (decoded frames, advancing playback, pixels).
import type * as Medley from '../../../src/umd.js';
import type { WebRtcPeer } from '../../../src/WebRtcPeer.js';

declare global {
  interface Window {
    medley: typeof Medley;
    harness: typeof harness;
  }
}

/** What a message looks like after a trip through a WebSocket. */
function overTheWire<T>(message: T): T {
  return JSON.parse(JSON.stringify(message)) as T;
}

/** Errors of addIceCandidate calls made by trickle(): a test asserts there are none. */
const candidateErrors: string[] = [];

/**
 * Forwards `from`'s local candidates to `to`, serialised as a signaling server would, each one
 * a macrotask later (network latency: they may overtake or trail the SDP).
 */
function trickle(from: WebRtcPeer, to: WebRtcPeer): void {
  from.on('icecandidate', (candidate) => {
    const message = overTheWire(candidate);
    setTimeout(() => {
      to.addIceCandidate(message).catch((error: Error) => candidateErrors.push(error.message));
    });
  });
  from.on('icegatheringdone', () => {
    setTimeout(() => {
      to.addIceCandidate(null).catch((error: Error) => candidateErrors.push(error.message));
    });
  });
}

/** A full offer/answer exchange with trickle ICE both ways. */
async function connect(offerer: WebRtcPeer, answerer: WebRtcPeer): Promise<void> {
  trickle(offerer, answerer);
  trickle(answerer, offerer);
  const offer = await offerer.generateOffer();
  const answer = await answerer.processOffer(overTheWire(offer));
  await offerer.processAnswer(overTheWire(answer));
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function framesDecoded(peer: WebRtcPeer): Promise<number> {
  return (await peer.getStats()).inbound.video?.framesDecoded ?? 0;
}

/** Waits until `peer` decoded `minimum` more video frames than it had at the call. */
async function decodesVideo(peer: WebRtcPeer, minimum = 10): Promise<number> {
  const start = await framesDecoded(peer);
  return waitFor(`${minimum} decoded video frames`, async () => {
    const frames = await framesDecoded(peer);
    return frames - start >= minimum ? frames : undefined;
  });
}

/** Waits until the element's playback position moves on by `seconds`; returns the new position. */
function playsOn(element: HTMLMediaElement, seconds = 0.5): Promise<number> {
  const start = element.currentTime;
  return waitFor(`${element.id || 'media element'} playing`, () =>
    element.currentTime >= start + seconds ? element.currentTime : undefined,
  );
}

function video(id: string): HTMLVideoElement {
  const element = document.createElement('video');
  element.id = id;
  element.width = 160;
  document.body.append(element);
  return element;
}

/** Mean brightness (0–255) of the frame a video element shows: about 0 for black frames. */
function brightness(element: HTMLVideoElement): number {
  const canvas = document.createElement('canvas');
  canvas.width = element.videoWidth;
  canvas.height = element.videoHeight;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context || canvas.width === 0) return Number.NaN;
  context.drawImage(element, 0, 0);
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  let sum = 0;
  for (let index = 0; index < data.length; index += 4) {
    sum += ((data[index] ?? 0) + (data[index + 1] ?? 0) + (data[index + 2] ?? 0)) / 3;
  }
  return sum / (data.length / 4);
}

/** The `kurentoUtils` global the page's bundle defined (not declared on Window: e2e does). */
function kurentoUtils(): typeof Medley.kurentoUtils {
  const global = (window as { kurentoUtils?: typeof Medley.kurentoUtils }).kurentoUtils;
  if (!global) throw new Error('no kurentoUtils global: load a medley bundle first');
  return global;
}

const harness = {
  kurentoUtils,
  overTheWire,
  trickle,
  connect,
  candidateErrors,
  waitFor,
  framesDecoded,
  decodesVideo,
  playsOn,
  video,
  brightness,
};
window.harness = harness;
