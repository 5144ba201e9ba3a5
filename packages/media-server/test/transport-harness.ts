// Shared by the transport tests: one headless Chromium (fake camera and microphone) whose pages
// hold plain RTCPeerConnections, and helpers to negotiate them with a WebRtcTransport.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { chromiumLaunchOptions } from '../../../scripts/chromium.js';
import type { IceCandidate, WebRtcTransport } from '../src/transport/index.js';
import type { RpcClient } from './support/RpcClient.js';

/** Options of a browser peer. `codecs` restricts the video codecs it negotiates (mime types). */
export interface PeerOptions {
  readonly send?: boolean;
  readonly receive?: boolean;
  readonly audio?: boolean;
  readonly video?: boolean;
  readonly videoCodecs?: readonly string[];
  /** Restricts the audio codecs it negotiates (mime types, e.g. `audio/PCMU`). */
  readonly audioCodecs?: readonly string[];
  /**
   * `camera`: Chromium's fake camera and microphone (default). `synthetic`: a picture whose left
   * half is red and right half blue (so a flip or a mix can be seen) and a 440 Hz tone.
   */
  readonly source?: 'camera' | 'synthetic';
  /** The synthetic source's colours (CSS) and tone; default red | blue and 440 Hz. */
  readonly synthetic?: { readonly left: string; readonly right: string; readonly toneHz: number };
  /** The synthetic source shows this picture (a data: URL), stretched to the frame, instead. */
  readonly picture?: string;
  readonly dataChannel?: boolean;
  /** Camera size to capture; default 320x240 keeps the encoder cheap. */
  readonly videoSize?: readonly [number, number];
  /** Send video as these simulcast encodings (lowest first, each with a `rid`). */
  readonly simulcast?: readonly RTCRtpEncodingParameters[];
}

/** RGB at the middle of the left and right quarters of a decoded picture. */
export interface PictureSample {
  readonly left: readonly [number, number, number];
  readonly right: readonly [number, number, number];
  readonly width: number;
  readonly height: number;
}

export interface InboundStats {
  readonly framesDecoded: number;
  readonly audioPacketsReceived: number;
  readonly videoPacketsReceived: number;
  /** Payload bytes of the video received (W3C bytesReceived). */
  readonly videoBytesReceived: number;
  readonly videoCodec: string | undefined;
  readonly audioCodec: string | undefined;
  /** Sum of the squared audio levels of what was played out (W3C totalAudioEnergy). */
  readonly totalAudioEnergy: number;
  /** PLIs the browser's video sender received (keyframe requests from the server). */
  readonly pliReceived: number;
  readonly connectionState: string;
  /** Video packets the browser counts as lost (expected minus received, retransmissions help). */
  readonly videoPacketsLost: number;
  /** Video freezes the browser saw (W3C freezeCount) and their total length in seconds. */
  readonly freezeCount: number;
  readonly totalFreezesDuration: number;
  /** NACKs and PLIs the browser's video receiver sent to the server. */
  readonly nacksSent: number;
  readonly plisSent: number;
  /** Width of the last decoded video frame. */
  readonly frameWidth: number;
}

// Runs in the page. Plain JavaScript: it is injected as a script tag.
const PAGE_SCRIPT = `
window.peers = {};
const peerToneLevels = new Map();
window.createPeer = async (id, options) => {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const peer = { pc, candidates: [], gathered: null, messages: [], channel: null };
  peer.gathered = new Promise((resolve) => {
    pc.onicecandidate = (event) => {
      if (event.candidate) peer.candidates.push(event.candidate.toJSON());
      else resolve();
    };
  });
  pc.ontrack = (event) => {
    const element = document.createElement(event.track.kind);
    element.autoplay = true;
    element.muted = true;
    element.srcObject = new MediaStream([event.track]);
    document.body.appendChild(element);
    if (event.track.kind === 'video') peer.video = element;
    if (event.track.kind === 'audio') {
      peer.audioLevel = audioLevelMeter(event.track);
      peer.toneLevel = peerToneLevels.get(event.track);
    }
  };
  if (options.dataChannel) {
    peer.channel = pc.createDataChannel('chat');
    peer.channel.onmessage = (event) => peer.messages.push(event.data);
  }
  const picture = options.picture ? await loadPicture(options.picture) : undefined;
  const capture = options.source === 'synthetic'
    ? (constraints, peer) => syntheticStream(constraints, peer, options.synthetic, picture)
    : (constraints) => navigator.mediaDevices.getUserMedia(constraints);
  const stream = options.send && (options.audio || options.video)
    ? await capture({ audio: options.audio, video: options.video && { width: options.videoSize[0], height: options.videoSize[1] } }, peer)
    : null;
  for (const kind of ['audio', 'video']) {
    if (!options[kind]) continue;
    const track = stream?.getTracks().find((candidate) => candidate.kind === kind);
    // addTrack, unlike addTransceiver, lets a later remote offer reuse the transceiver.
    let transceiver;
    if (track && kind === 'video' && options.simulcast) {
      transceiver = pc.addTransceiver(track, { direction: 'sendonly', streams: [stream], sendEncodings: options.simulcast });
    } else if (track) {
      const sender = pc.addTrack(track, stream);
      transceiver = pc.getTransceivers().find((candidate) => candidate.sender === sender);
    } else {
      transceiver = pc.addTransceiver(kind, { direction: 'recvonly' });
    }
    if (track && !options.receive) transceiver.direction = 'sendonly';
    if (kind === 'video' && options.videoCodecs) {
      const codecs = RTCRtpReceiver.getCapabilities('video').codecs.filter(
        (codec) => options.videoCodecs.includes(codec.mimeType) &&
          (codec.mimeType !== 'video/H264' || /packetization-mode=1/.test(codec.sdpFmtpLine ?? '')),
      );
      transceiver.setCodecPreferences(codecs);
    }
    if (kind === 'audio' && options.audioCodecs) {
      transceiver.setCodecPreferences(RTCRtpReceiver.getCapabilities('audio').codecs.filter(
        (codec) => options.audioCodecs.includes(codec.mimeType)));
    }
  }
  window.peers[id] = peer;
};
// Left half red, right half blue (or the colours asked for), redrawn at 30 fps; and a tone.
async function loadPicture(url) {
  const image = new Image();
  image.src = url;
  await image.decode();
  return image;
}
async function syntheticStream({ audio, video }, peer, look = { left: '#ff0000', right: '#0000ff', toneHz: 440 }, picture) {
  const tracks = [];
  if (video) {
    const canvas = document.createElement('canvas');
    canvas.width = video.width;
    canvas.height = video.height;
    const context = canvas.getContext('2d');
    const track = canvas.captureStream(0).getVideoTracks()[0];
    const draw = () => {
      if (picture) {
        context.drawImage(picture, 0, 0, canvas.width, canvas.height);
        track.requestFrame();
        return;
      }
      context.fillStyle = look.left;
      context.fillRect(0, 0, canvas.width / 2, canvas.height);
      context.fillStyle = look.right;
      context.fillRect(canvas.width / 2, 0, canvas.width / 2, canvas.height);
      track.requestFrame();
    };
    draw();
    peer.timer = setInterval(draw, 33);
    tracks.push(track);
  }
  if (audio) {
    const context = new AudioContext({ sampleRate: 48000 });
    await context.resume();
    const oscillator = context.createOscillator();
    oscillator.frequency.value = look.toneHz;
    const gain = context.createGain();
    gain.gain.value = 0.5;
    const destination = context.createMediaStreamDestination();
    oscillator.connect(gain).connect(destination);
    oscillator.start();
    peer.audioContext = context;
    tracks.push(destination.stream.getAudioTracks()[0]);
  }
  return new MediaStream(tracks);
}
// RMS of the received audio over the last analyser window (0 = silence, 0.35 = a half-scale sine).
function audioLevelMeter(track) {
  const context = new AudioContext();
  context.resume();
  const analyser = context.createAnalyser();
  analyser.fftSize = 2048;
  context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const spectrum = new Float32Array(analyser.frequencyBinCount);
  peerToneLevels.set(track, (hz) => {
    analyser.getFloatFrequencyData(spectrum);
    const bin = Math.round(hz / (context.sampleRate / analyser.fftSize));
    return Math.max(spectrum[bin - 1] ?? -Infinity, spectrum[bin], spectrum[bin + 1] ?? -Infinity);
  });
  return () => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const sample of samples) sum += sample * sample;
    return Math.sqrt(sum / samples.length);
  };
}
window.audioLevel = (id) => window.peers[id]?.audioLevel?.() ?? 0;
// Level (dB) of the received audio at a frequency, from the analyser's spectrum.
window.toneLevel = (id, hz) => window.peers[id]?.toneLevel?.(hz) ?? -Infinity;
// The colour at the middle of the left and of the right quarter of the received picture.
window.samplePicture = (id) => {
  const video = window.peers[id]?.video;
  if (!video || video.videoWidth === 0) return null;
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const context = canvas.getContext('2d');
  context.drawImage(video, 0, 0);
  const at = (x) => Array.from(context.getImageData(Math.floor(x), Math.floor(canvas.height / 2), 1, 1).data.slice(0, 3));
  return { left: at(canvas.width / 4), right: at(canvas.width * 3 / 4), width: canvas.width, height: canvas.height };
};
// RGB at points given as fractions of the received picture's width and height.
window.samplePoints = (id, points) => {
  const video = window.peers[id]?.video;
  if (!video || video.videoWidth === 0) return null;
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const context = canvas.getContext('2d');
  context.drawImage(video, 0, 0);
  return points.map(([x, y]) => Array.from(context.getImageData(Math.floor(x * canvas.width), Math.floor(y * canvas.height), 1, 1).data.slice(0, 3)));
};
window.createOffer = async (id) => {
  const { pc, gathered } = window.peers[id];
  await pc.setLocalDescription(await pc.createOffer());
  await gathered;
  return pc.localDescription.sdp;
};
window.acceptOffer = async (id, sdp) => {
  const { pc, gathered } = window.peers[id];
  await pc.setRemoteDescription({ type: 'offer', sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  await gathered;
  return pc.localDescription.sdp;
};
window.acceptAnswer = (id, sdp) => window.peers[id].pc.setRemoteDescription({ type: 'answer', sdp });
window.addCandidates = async (id, candidates) => {
  for (const candidate of candidates) await window.peers[id].pc.addIceCandidate(candidate);
};
window.inboundStats = async (id) => {
  const { pc } = window.peers[id];
  const report = await pc.getStats();
  const result = { framesDecoded: 0, audioPacketsReceived: 0, videoPacketsReceived: 0, videoBytesReceived: 0, videoCodec: undefined,
    audioCodec: undefined, totalAudioEnergy: 0,
    pliReceived: 0, connectionState: pc.connectionState, videoPacketsLost: 0, freezeCount: 0,
    totalFreezesDuration: 0, nacksSent: 0, plisSent: 0, frameWidth: 0 };
  for (const stats of report.values()) {
    if (stats.type === 'outbound-rtp' && stats.kind === 'video') result.pliReceived += stats.pliCount ?? 0;
    if (stats.type !== 'inbound-rtp') continue;
    if (stats.kind === 'video') {
      result.framesDecoded += stats.framesDecoded ?? 0;
      result.videoPacketsReceived += stats.packetsReceived ?? 0;
      result.videoBytesReceived += stats.bytesReceived ?? 0;
      result.videoCodec = report.get(stats.codecId)?.mimeType;
      result.videoPacketsLost += stats.packetsLost ?? 0;
      result.freezeCount += stats.freezeCount ?? 0;
      result.totalFreezesDuration += stats.totalFreezesDuration ?? 0;
      result.nacksSent += stats.nackCount ?? 0;
      result.plisSent += stats.pliCount ?? 0;
      result.frameWidth = stats.frameWidth ?? result.frameWidth;
    } else {
      result.audioPacketsReceived += stats.packetsReceived ?? 0;
      result.audioCodec = report.get(stats.codecId)?.mimeType;
      result.totalAudioEnergy += stats.totalAudioEnergy ?? 0;
    }
  }
  return result;
};
window.availableOutgoingBitrate = async (id) => {
  const report = await window.peers[id].pc.getStats();
  for (const stats of report.values()) {
    if (stats.type === 'candidate-pair' && stats.nominated) return stats.availableOutgoingBitrate ?? 0;
  }
  return 0;
};
window.closePeer = (id) => {
  const peer = window.peers[id];
  if (!peer) return;
  // Stopped tracks free the fake camera, so a later peer can capture at another size.
  for (const sender of peer.pc.getSenders()) sender.track?.stop();
  clearInterval(peer.timer);
  peer.audioContext?.close();
  peer.pc.close();
  delete window.peers[id];
};
`;

/** One Chromium and a local page origin (getUserMedia needs a secure context: 127.0.0.1 is one). */
export class BrowserHarness {
  #browser: Browser | undefined;
  #server: Server | undefined;
  #url = '';

  async start(): Promise<void> {
    this.#server = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end('<!doctype html><title>medley transport test</title><body></body>');
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/`;
    this.#browser = await chromium.launch(chromiumLaunchOptions);
  }

  async newPage(): Promise<Page> {
    if (!this.#browser) throw new Error('start() the harness first');
    const page = await this.#browser.newPage();
    await page.goto(this.#url);
    await page.addScriptTag({ content: PAGE_SCRIPT });
    return page;
  }

  async stop(): Promise<void> {
    await this.#browser?.close();
    await new Promise((resolve) => this.#server?.close(resolve));
  }
}

/** A browser peer on a page, negotiated against a server transport. */
export class BrowserPeer {
  constructor(
    readonly page: Page,
    readonly id: string,
  ) {}

  static async create(page: Page, id: string, options: PeerOptions): Promise<BrowserPeer> {
    const defaults = {
      send: true,
      receive: true,
      audio: true,
      video: true,
      dataChannel: false,
      videoSize: [320, 240] as const,
    };
    await page.evaluate(([peerId, peerOptions]) => window.createPeer(peerId, peerOptions), [
      id,
      { ...defaults, ...options },
    ] as const);
    return new BrowserPeer(page, id);
  }

  /**
   * Browser offers, transport answers, candidates are exchanged both ways (trickle).
   * `editOffer` changes the offer on its way to the server (e.g. to drop a feedback type).
   */
  async connectByBrowserOffer(
    transport: WebRtcTransport,
    editOffer: (sdp: string) => string = (sdp) => sdp,
  ): Promise<void> {
    const localCandidates = collectCandidates(transport);
    const offer = await this.page.evaluate((peerId) => window.createOffer(peerId), this.id);
    const answer = await transport.processOffer(editOffer(offer));
    await transport.gatherCandidates();
    await this.page.evaluate(([peerId, sdp]) => window.acceptAnswer(peerId, sdp), [
      this.id,
      answer,
    ] as const);
    await this.#exchangeCandidates(transport, localCandidates);
  }

  /** Transport offers, browser answers, candidates are exchanged both ways (trickle). */
  async connectByServerOffer(transport: WebRtcTransport): Promise<void> {
    const localCandidates = collectCandidates(transport);
    const offer = await transport.generateOffer();
    await transport.gatherCandidates();
    const answer = await this.page.evaluate(([peerId, sdp]) => window.acceptOffer(peerId, sdp), [
      this.id,
      offer,
    ] as const);
    await transport.processAnswer(answer);
    await this.#exchangeCandidates(transport, localCandidates);
  }

  /**
   * Browser offers, a WebRtcEndpoint answers through the Kurento Protocol. No trickle: the offer
   * is made after gathering and werift's answer lists its candidates, so both SDPs carry them.
   */
  async connectToEndpoint(client: RpcClient, endpoint: string): Promise<void> {
    const offer = await this.page.evaluate((peerId) => window.createOffer(peerId), this.id);
    const answer = (await client.invoke(endpoint, 'processOffer', { offer })) as string;
    await this.page.evaluate(([peerId, sdp]) => window.acceptAnswer(peerId, sdp), [
      this.id,
      answer,
    ] as const);
  }

  /** Colours of the left and right of the picture the peer decodes now (null before the first frame). */
  samplePicture(): Promise<PictureSample | null> {
    return this.page.evaluate((peerId) => window.samplePicture(peerId), this.id);
  }

  /** RGB of the received picture at points given as fractions of its width and height. */
  samplePoints(
    points: readonly (readonly [number, number])[],
  ): Promise<[number, number, number][] | null> {
    return this.page.evaluate(([peerId, at]) => window.samplePoints(peerId, at), [
      this.id,
      points,
    ] as const);
  }

  /** Level in dB of the received audio at `hz` (-Infinity before any audio). */
  toneLevel(hz: number): Promise<number> {
    return this.page.evaluate(([peerId, at]) => window.toneLevel(peerId, at), [
      this.id,
      hz,
    ] as const);
  }

  /** RMS level of the audio the peer receives now (0 for silence). */
  audioLevel(): Promise<number> {
    return this.page.evaluate((peerId) => window.audioLevel(peerId), this.id);
  }

  stats(): Promise<InboundStats> {
    return this.page.evaluate((peerId) => window.inboundStats(peerId), this.id);
  }

  /** Polls the peer's inbound stats until `condition` holds; fails after `timeoutMs`. */
  async waitForStats(
    condition: (stats: InboundStats) => boolean,
    timeoutMs = 15_000,
  ): Promise<InboundStats> {
    const deadline = Date.now() + timeoutMs;
    let stats = await this.stats();
    while (!condition(stats)) {
      if (Date.now() > deadline) {
        throw new Error(
          `browser peer ${this.id}: condition not met within ${timeoutMs} ms, last ${JSON.stringify(stats)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      stats = await this.stats();
    }
    return stats;
  }

  /** The browser's estimate of the bandwidth towards the server, in bit/s. */
  availableOutgoingBitrate(): Promise<number> {
    return this.page.evaluate((peerId) => window.availableOutgoingBitrate(peerId), this.id);
  }

  close(): Promise<void> {
    return this.page.evaluate((peerId) => window.closePeer(peerId), this.id);
  }

  async #exchangeCandidates(
    transport: WebRtcTransport,
    localCandidates: IceCandidate[],
  ): Promise<void> {
    await this.page.evaluate(([peerId, candidates]) => window.addCandidates(peerId, candidates), [
      this.id,
      localCandidates,
    ] as const);
    const remoteCandidates = await this.page.evaluate(
      (peerId) => window.peers[peerId]?.candidates ?? [],
      this.id,
    );
    for (const candidate of remoteCandidates) {
      await transport.addIceCandidate({
        candidate: candidate.candidate ?? '',
        sdpMid: candidate.sdpMid ?? '0',
        sdpMLineIndex: candidate.sdpMLineIndex ?? 0,
      });
    }
  }
}

function collectCandidates(transport: WebRtcTransport): IceCandidate[] {
  const candidates: IceCandidate[] = [];
  transport.on('icecandidate', (candidate) => candidates.push(candidate));
  return candidates;
}

/** Options every test transport needs inside the loopback-only namespace. */
export const LOOPBACK = { additionalHostAddresses: ['127.0.0.1'] } as const;

declare global {
  interface Window {
    peers: Record<string, { candidates: RTCIceCandidateInit[] }>;
    createPeer(id: string, options: PeerOptions): Promise<void>;
    createOffer(id: string): Promise<string>;
    acceptOffer(id: string, sdp: string): Promise<string>;
    acceptAnswer(id: string, sdp: string): Promise<void>;
    addCandidates(id: string, candidates: IceCandidate[]): Promise<void>;
    inboundStats(id: string): Promise<InboundStats>;
    availableOutgoingBitrate(id: string): Promise<number>;
    closePeer(id: string): void;
    samplePicture(id: string): PictureSample | null;
    audioLevel(id: string): number;
    samplePoints(
      id: string,
      points: readonly (readonly [number, number])[],
    ): [number, number, number][] | null;
    toneLevel(id: string, hz: number): number;
  }
}
