import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright';
import ts from 'typescript';
import { chromiumLaunchOptions } from '../../../scripts/chromium.js';
import type { IceCandidate } from '../src/index.js';

const sourceFolder = new URL('../src/', import.meta.url);

/**
 * The test page, and this package's sources under /media-client/ as browser ES modules
 * (transpiled on request), so a page can import the client exactly as a bundler would see it.
 */
async function servePage(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = request.url ?? '/';
  if (!path.startsWith('/media-client/')) {
    response.writeHead(200, { 'Content-Type': 'text/html' });
    response.end('<!doctype html><title>media-client test page</title>');
    return;
  }
  const modulePath = path.slice('/media-client/'.length).replace(/\.js$/, '.ts');
  try {
    if (modulePath.includes('..')) throw new Error('outside the sources');
    const source = await readFile(new URL(modulePath, sourceFolder), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    response.writeHead(200, { 'Content-Type': 'text/javascript' });
    response.end(outputText);
  } catch {
    response.writeHead(404);
    response.end();
  }
}

/** What the page keeps on `window` between evaluate calls. */
interface PeerWindow {
  peer: RTCPeerConnection;
  pendingServerCandidates: RTCIceCandidateInit[];
  sendCandidateToServer(candidate: RTCIceCandidateInit): Promise<void>;
}

/**
 * A plain RTCPeerConnection in headless Chromium (fake camera and microphone, no ICE servers),
 * served from http://127.0.0.1 so that getUserMedia has a secure context.
 */
export class BrowserPeer {
  private constructor(
    private readonly browser: Browser,
    /** A page of http://127.0.0.1 that can `import('/media-client/index.js')`. */
    readonly page: Page,
    private readonly closePageServer: () => Promise<void>,
  ) {}

  static async launch(sendCandidateToServer: (candidate: IceCandidate) => Promise<void>) {
    const pageServer = createServer((request, response) => {
      void servePage(request, response);
    });
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    const { port } = pageServer.address() as AddressInfo;
    const browser = await chromium.launch(chromiumLaunchOptions);
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.exposeFunction('sendCandidateToServer', (candidate: IceCandidate) =>
      sendCandidateToServer(candidate),
    );
    const closePageServer = () => new Promise<void>((resolve) => pageServer.close(() => resolve()));
    return new BrowserPeer(browser, page, closePageServer);
  }

  /** Captures fake audio and video, and returns the offer to send them. */
  createOffer(): Promise<string> {
    return this.page.evaluate(async () => {
      const page = window as unknown as PeerWindow;
      const peer = new RTCPeerConnection({ iceServers: [] });
      page.peer = peer;
      page.pendingServerCandidates = [];
      peer.onicecandidate = ({ candidate }) => {
        if (candidate?.candidate) void page.sendCandidateToServer(candidate.toJSON());
      };
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      for (const track of stream.getTracks()) peer.addTrack(track, stream);
      const offer = await peer.createOffer();
      await peer.setLocalDescription(offer);
      return offer.sdp ?? '';
    });
  }

  /** Applies the answer, then the server candidates that arrived before it. */
  applyAnswer(sdp: string): Promise<void> {
    return this.page.evaluate(async (answer) => {
      const page = window as unknown as PeerWindow;
      await page.peer.setRemoteDescription({ type: 'answer', sdp: answer });
      for (const candidate of page.pendingServerCandidates.splice(0)) {
        await page.peer.addIceCandidate(candidate);
      }
    }, sdp);
  }

  addServerCandidate(candidate: IceCandidate): Promise<void> {
    return this.page.evaluate(async (init) => {
      const page = window as unknown as PeerWindow;
      if (page.peer.remoteDescription) await page.peer.addIceCandidate(init);
      else page.pendingServerCandidates.push(init);
    }, candidate);
  }

  /** Video frames the page has decoded from what it received. */
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
