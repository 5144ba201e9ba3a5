import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright';
import { chromiumLaunchOptions } from '../../../scripts/chromium.js';

export interface CandidateInit {
  candidate: string;
  sdpMid: string | null;
  sdpMLineIndex: number | null;
}

interface PeerWindow {
  peer: RTCPeerConnection;
  remoteVideo?: HTMLVideoElement;
  pendingServerCandidates: RTCIceCandidateInit[];
  onLocalCandidate(candidate: CandidateInit): Promise<void>;
}

/**
 * The browser side of the Kurento hello-world tutorial: a plain RTCPeerConnection in headless
 * Chromium with the fake camera, no ICE servers, served from http://127.0.0.1 (a secure context).
 */
export class BrowserPeer {
  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
    private readonly closePageServer: () => Promise<void>,
  ) {}

  /** `fakeVideo`: a .y4m file the fake camera shows (Chromium's own pattern otherwise). */
  static async launch(
    onLocalCandidate: (candidate: CandidateInit) => Promise<void>,
    options: { fakeVideo?: string } = {},
  ) {
    const pageServer = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<!doctype html><title>kurento-client hello world</title>');
    });
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    const browser = await chromium.launch({
      ...chromiumLaunchOptions,
      args: options.fakeVideo
        ? [...chromiumLaunchOptions.args, `--use-file-for-fake-video-capture=${options.fakeVideo}`]
        : chromiumLaunchOptions.args,
    });
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`);
    await page.exposeFunction('onLocalCandidate', onLocalCandidate);
    return new BrowserPeer(
      browser,
      page,
      () => new Promise((resolve) => pageServer.close(() => resolve())),
    );
  }

  createOffer(): Promise<string> {
    return this.page.evaluate(async () => {
      const page = window as unknown as PeerWindow;
      page.peer = new RTCPeerConnection({ iceServers: [] });
      page.pendingServerCandidates = [];
      page.peer.ontrack = ({ track, streams }) => {
        if (track.kind !== 'video') return;
        const video = document.createElement('video');
        video.muted = true;
        video.srcObject = streams[0] ?? new MediaStream([track]);
        document.body.append(video);
        void video.play();
        page.remoteVideo = video;
      };
      page.peer.onicecandidate = ({ candidate }) => {
        if (!candidate?.candidate) return;
        const { sdpMid, sdpMLineIndex } = candidate;
        void page.onLocalCandidate({ candidate: candidate.candidate, sdpMid, sdpMLineIndex });
      };
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      for (const track of stream.getTracks()) page.peer.addTrack(track, stream);
      const offer = await page.peer.createOffer();
      await page.peer.setLocalDescription(offer);
      return offer.sdp ?? '';
    });
  }

  applyAnswer(sdp: string): Promise<void> {
    return this.page.evaluate(async (answer) => {
      const page = window as unknown as PeerWindow;
      await page.peer.setRemoteDescription({ type: 'answer', sdp: answer });
      for (const candidate of page.pendingServerCandidates.splice(0)) {
        await page.peer.addIceCandidate(candidate);
      }
    }, sdp);
  }

  addServerCandidate(candidate: CandidateInit): Promise<void> {
    return this.page.evaluate(async (init) => {
      const page = window as unknown as PeerWindow;
      if (page.peer.remoteDescription) await page.peer.addIceCandidate(init);
      else page.pendingServerCandidates.push(init);
    }, candidate);
  }

  decodedVideoFrames(): Promise<number> {
    return this.page.evaluate(async () => {
      const page = window as unknown as PeerWindow;
      let frames = 0;
      for (const report of (await page.peer.getStats()).values()) {
        if (report.type === 'inbound-rtp' && report.kind === 'video') {
          frames += (report as { framesDecoded?: number }).framesDecoded ?? 0;
        }
      }
      return frames;
    });
  }

  /**
   * The colour [r, g, b] of the video coming back, averaged over 5x5 pixels around (x, y) given
   * in fractions of the frame; undefined while no frame has been shown.
   */
  remoteColourAt(x: number, y: number): Promise<[number, number, number] | undefined> {
    return this.page.evaluate(
      ({ atX, atY }) => {
        const video = (window as unknown as PeerWindow).remoteVideo;
        if (!video || video.videoWidth === 0) return undefined;
        const canvas = document.createElement('canvas');
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        const context = canvas.getContext('2d');
        if (!context) return undefined;
        context.drawImage(video, 0, 0);
        const left = Math.max(0, Math.round(atX * canvas.width) - 2);
        const top = Math.max(0, Math.round(atY * canvas.height) - 2);
        const { data } = context.getImageData(left, top, 5, 5);
        let [red, green, blue] = [0, 0, 0];
        for (let index = 0; index < data.length; index += 4) {
          red += data[index] ?? 0;
          green += data[index + 1] ?? 0;
          blue += data[index + 2] ?? 0;
        }
        const count = data.length / 4;
        return [red / count, green / count, blue / count] as [number, number, number];
      },
      { atX: x, atY: y },
    );
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.closePageServer();
  }
}
