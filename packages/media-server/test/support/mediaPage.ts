import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { chromiumLaunchOptions } from '../../../../scripts/chromium.js';
import type { RpcClient } from './RpcClient.js';

/**
 * One headless Chromium for a test file, with a page that sends media (fake camera and
 * microphone, or a flashing canvas with a beep on each flash, to measure lip sync) or receives
 * it, negotiated with a server WebRtcEndpoint through the Kurento Protocol.
 */

export interface SendOptions {
  readonly audio: boolean;
  readonly video: boolean;
  /**
   * `camera`: Chromium's fake devices. `flash`: a canvas that turns white for 100 ms every
   * second, and a 1 kHz tone during exactly those 100 ms (same clock), to measure A/V sync.
   */
  readonly source?: 'camera' | 'flash';
  /** Video codec to put first with setCodecPreferences, e.g. `H264`. */
  readonly preferredVideoCodec?: string;
}

export interface ReceiveStats {
  readonly framesDecoded: number;
  readonly audioPacketsReceived: number;
  readonly videoCodec: string | undefined;
  readonly connectionState: string;
}

// Runs in the page (plain JavaScript).
const PAGE_SCRIPT = `
let session = null;
window.mediaPage = {};
function newPeer() {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const candidates = [];
  pc.onicecandidate = (event) => { if (event.candidate) candidates.push(event.candidate.toJSON()); };
  session = { pc, candidates, stream: null, timers: [], audioContext: null };
  return pc;
}
// Flash and beep are switched together, in the same timer callback: a late timer (a busy
// machine) delays both alike, so what the file shows is the skew of the pipeline alone.
function flashingStream(audio, video) {
  const tracks = [];
  const start = performance.now() + 200;
  let context2d = null;
  let videoTrack = null;
  let gain = null;
  if (video) {
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 240;
    context2d = canvas.getContext('2d');
    videoTrack = canvas.captureStream(0).getVideoTracks()[0];
    tracks.push(videoTrack);
  }
  if (audio) {
    const context = new AudioContext({ sampleRate: 48000 });
    session.audioContext = context;
    context.resume();
    const oscillator = context.createOscillator();
    oscillator.frequency.value = 1000;
    gain = context.createGain();
    gain.gain.value = 0;
    const destination = context.createMediaStreamDestination();
    oscillator.connect(gain).connect(destination);
    oscillator.start();
    tracks.push(destination.stream.getAudioTracks()[0]);
  }
  let on = null;
  let lastFrameAt = 0;
  const tick = () => {
    const now = performance.now();
    const flashing = (now - start + 100000) % 1000 < 100;
    const changed = flashing !== on;
    on = flashing;
    if (changed && gain) gain.gain.setValueAtTime(flashing ? 1 : 0, gain.context.currentTime);
    if (context2d && (changed || now - lastFrameAt >= 33)) {
      context2d.fillStyle = flashing ? '#ffffff' : '#000000';
      context2d.fillRect(0, 0, 320, 240);
      videoTrack.requestFrame();
      lastFrameAt = now;
    }
  };
  tick();
  session.timers.push(setInterval(tick, 5));
  return new MediaStream(tracks);
}
window.mediaPage.startSending = async ({ audio, video, source, preferredVideoCodec }) => {
  const pc = newPeer();
  const stream = source === 'flash'
    ? flashingStream(audio, video)
    : await navigator.mediaDevices.getUserMedia({ audio, video: video && { width: 320, height: 240 } });
  session.stream = stream;
  for (const track of stream.getTracks()) {
    const transceiver = pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    if (track.kind === 'video' && preferredVideoCodec) {
      const codecs = RTCRtpSender.getCapabilities('video').codecs;
      const wanted = 'video/' + preferredVideoCodec.toLowerCase();
      const preferred = codecs.filter((codec) => codec.mimeType.toLowerCase() === wanted);
      if (preferred.length === 0) throw new Error('this browser cannot send ' + preferredVideoCodec);
      transceiver.setCodecPreferences([...preferred, ...codecs.filter((codec) => !preferred.includes(codec))]);
    }
  }
  await pc.setLocalDescription(await pc.createOffer());
  return pc.localDescription.sdp;
};
window.mediaPage.startReceiving = async () => {
  const pc = newPeer();
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.ontrack = (event) => {
    const element = document.createElement(event.track.kind);
    element.autoplay = true;
    element.muted = true;
    element.srcObject = new MediaStream([event.track]);
    document.body.appendChild(element);
  };
  await pc.setLocalDescription(await pc.createOffer());
  return pc.localDescription.sdp;
};
window.mediaPage.applyAnswer = (sdp) => session.pc.setRemoteDescription({ type: 'answer', sdp });
window.mediaPage.addCandidate = (candidate) => session.pc.addIceCandidate(candidate);
window.mediaPage.takeCandidates = () => session.candidates.splice(0);
window.mediaPage.receiveStats = async () => {
  const stats = { framesDecoded: 0, audioPacketsReceived: 0, videoCodec: undefined, connectionState: session.pc.connectionState };
  const report = await session.pc.getStats();
  report.forEach((entry) => {
    if (entry.type !== 'inbound-rtp') return;
    if (entry.kind === 'video') {
      stats.framesDecoded += entry.framesDecoded ?? 0;
      const codec = entry.codecId && report.get(entry.codecId);
      if (codec) stats.videoCodec = codec.mimeType;
    } else {
      stats.audioPacketsReceived += entry.packetsReceived ?? 0;
    }
  });
  return stats;
};
window.mediaPage.connectionState = () => session.pc.connectionState;
window.mediaPage.endSession = () => {
  if (!session) return;
  for (const timer of session.timers) clearInterval(timer);
  session.audioContext?.close();
  session.stream?.getTracks().forEach((track) => track.stop());
  session.pc.close();
  session = null;
};
`;

/** What the page script defines, under one name so that it clashes with no other test page. */
export interface MediaPageApi {
  startSending(options: SendOptions): Promise<string>;
  startReceiving(): Promise<string>;
  applyAnswer(sdp: string): Promise<void>;
  addCandidate(candidate: RTCIceCandidateInit): Promise<void>;
  takeCandidates(): RTCIceCandidateInit[];
  receiveStats(): Promise<ReceiveStats>;
  connectionState(): string;
  endSession(): void;
}

declare global {
  interface Window {
    mediaPage: MediaPageApi;
  }
}

export class MediaBrowser {
  readonly #browser: Browser;
  readonly #server: Server;
  readonly #url: string;

  private constructor(browser: Browser, server: Server, url: string) {
    this.#browser = browser;
    this.#server = server;
    this.#url = url;
  }

  static async launch(): Promise<MediaBrowser> {
    const browser = await chromium.launch(chromiumLaunchOptions);
    // getUserMedia needs a secure context: a page from 127.0.0.1 is one, about:blank is not.
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end(`<!doctype html><title>media</title><script>${PAGE_SCRIPT}</script>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    return new MediaBrowser(browser, server, url);
  }

  async newPage(): Promise<Page> {
    const page = await this.#browser.newPage();
    await page.goto(this.#url);
    return page;
  }

  async close(): Promise<void> {
    await this.#browser.close();
    this.#server.close();
  }
}

/**
 * Negotiates the page's offer with a WebRtcEndpoint (processOffer, trickle ICE both ways) and
 * waits until the page's peer connection is connected. Returns a function that stops trickling.
 */
export async function negotiate(
  client: RpcClient,
  page: Page,
  endpoint: string,
  offer: string,
): Promise<() => void> {
  await client.call('subscribe', { object: endpoint, type: 'IceCandidateFound' });
  const answer = (await client.invoke(endpoint, 'processOffer', { offer })) as string;
  await page.evaluate((sdp) => window.mediaPage.applyAnswer(sdp), answer);
  let running = true;
  let forwarded = 0;
  const pump = async () => {
    while (running) {
      const found = client.events.filter(
        (event) =>
          event.params.value.type === 'IceCandidateFound' && event.params.value.object === endpoint,
      );
      for (const event of found.slice(forwarded)) {
        const { candidate, sdpMid, sdpMLineIndex } = event.params.value.data
          .candidate as RTCIceCandidateInit;
        await page.evaluate((init) => window.mediaPage.addCandidate(init), {
          candidate,
          sdpMid,
          sdpMLineIndex,
        });
      }
      forwarded = found.length;
      for (const candidate of await page.evaluate(() => window.mediaPage.takeCandidates())) {
        await client.invoke(endpoint, 'addIceCandidate', {
          candidate: { ...candidate, __module__: 'kurento', __type__: 'IceCandidate' },
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const done = pump().catch(() => undefined);
  await client.invoke(endpoint, 'gatherCandidates');
  const deadline = Date.now() + 15_000;
  while ((await page.evaluate(() => window.mediaPage.connectionState())) !== 'connected') {
    if (Date.now() > deadline) throw new Error('the page did not connect to the WebRtcEndpoint');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return () => {
    running = false;
    void done;
  };
}
