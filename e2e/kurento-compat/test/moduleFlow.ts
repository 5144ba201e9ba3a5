import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import kurento, {
  type KurentoClient,
  type MediaElement,
  type MediaPipeline,
  type WebRtcEndpoint,
} from 'kurento-client';
import { createMediaServer, type MediaServer } from '../../../packages/media-server/src/index.js';
import { BrowserPeer, type CandidateInit } from './browserPeer.js';

/** kurento-client's promises resolve even when the server answers an error: use its callbacks. */
export function outcome(
  call: (callback: (error?: Error) => void) => void,
): Promise<Error | undefined> {
  return new Promise((resolve) => call((error) => resolve(error ?? undefined)));
}

/** A media server on a free port with `mediaRoot`, and kurento-client 7.3 connected to it. */
export async function serverAndClient(
  mediaRoot: string,
): Promise<{ server: MediaServer; client: KurentoClient }> {
  const server = await createMediaServer({ port: 0, logLevel: 'warn', mediaRoot });
  const client = await new Promise<KurentoClient>((resolve, reject) =>
    kurento(server.url, {}, (error, connected) => (error ? reject(error) : resolve(connected))),
  );
  return { server, client };
}

/**
 * A fake-camera video made now with ffmpeg's lavfi `graph` (320x240, 15 fps, `seconds` long,
 * looped by Chromium): a .y4m at `path`.
 */
export function makeVideo(path: string, graph: string, seconds: number): void {
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', graph,
    '-t', String(seconds), '-pix_fmt', 'yuv420p', path,
  ]);
}

/**
 * The tutorials' loopback: the browser's camera goes through `filter` and comes back to it, with
 * kurento-client doing the signalling as the tutorials do (trickle ICE both ways).
 */
export async function loopThrough(
  pipeline: MediaPipeline,
  filter: MediaElement,
  browser: (onCandidate: (candidate: CandidateInit) => Promise<void>) => Promise<BrowserPeer>,
): Promise<{ webRtc: WebRtcEndpoint; peer: BrowserPeer }> {
  const webRtc = await pipeline.create('WebRtcEndpoint');
  const IceCandidate = kurento.getComplexType('IceCandidate');
  const peer = await browser((candidate) => webRtc.addIceCandidate(IceCandidate(candidate)));
  webRtc.on('IceCandidateFound', (event) => {
    void peer.addServerCandidate(event.candidate as CandidateInit);
  });
  await webRtc.connect(filter);
  await filter.connect(webRtc);
  await peer.applyAnswer(await webRtc.processOffer(await peer.createOffer()));
  await webRtc.gatherCandidates();
  return { webRtc, peer };
}

/** Polls `check` until it holds; fails naming `what` after `timeoutMs` (a bound, not a measure). */
export async function waitUntil(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 45_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(200);
  }
}
