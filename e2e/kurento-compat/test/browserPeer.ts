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

  static async launch(onLocalCandidate: (candidate: CandidateInit) => Promise<void>) {
    const pageServer = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<!doctype html><title>kurento-client hello world</title>');
    });
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    const browser = await chromium.launch(chromiumLaunchOptions);
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

  async close(): Promise<void> {
    await this.browser.close();
    await this.closePageServer();
  }
}
