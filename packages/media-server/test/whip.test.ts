import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { MediaServer, WhipTokenRequest } from '../src/index.js';
import { parseCommandLine, usage } from '../src/server/commandLine.js';
import { WebRtcTransport } from '../src/transport/index.js';
import { MediaBrowser } from './support/mediaPage.js';
import { parsePrometheusText } from './support/prometheusText.js';
import { RpcClient } from './support/RpcClient.js';
import { eventually, startServer } from './support/server.js';

/**
 * A WHIP/WHEP client in the page, with fetch() to the media server's port (another origin than
 * the page's, so CORS is in play): trickle ICE by PATCH as candidates come, ICE restart by PATCH
 * with If-Match "*", DELETE. Plain JavaScript, run in Chromium.
 */
const WHIP_PAGE_SCRIPT = `
const clients = {};
const lineOf = (sdp, name) => (new RegExp('^a=' + name + ':(\\\\S+)', 'm').exec(sdp) || [])[1];
const firstMediaOf = (sdp) => sdp.slice(sdp.search(/^m=/m)).split(/^(?=m=)/m)[0];
function fragment(client, lines) {
  const sdp = client.pc.localDescription.sdp;
  const media = firstMediaOf(sdp);
  return ['a=ice-ufrag:' + lineOf(sdp, 'ice-ufrag'), 'a=ice-pwd:' + lineOf(sdp, 'ice-pwd'),
    media.split(/\\r?\\n/)[0], 'a=mid:' + lineOf(media, 'mid'), ...lines].join('\\r\\n') + '\\r\\n';
}
function flush(client) {
  client.flushing = client.flushing.then(async () => {
    if (!client.location || client.pending.length === 0 || client.restarting) return;
    const batch = client.pending.splice(0);
    const lines = batch.map((candidate) => candidate ? 'a=' + candidate.candidate : 'a=end-of-candidates');
    const response = await fetch(client.location, { method: 'PATCH', body: fragment(client, lines),
      headers: { 'Content-Type': 'application/trickle-ice-sdpfrag', 'If-Match': client.etag } });
    client.patchStatuses.push(response.status);
  });
  return client.flushing;
}
window.whip = {
  async start(name, url, token, kind) {
    const pc = new RTCPeerConnection({ iceServers: [] });
    const client = { pc, url, location: null, etag: null, pending: [], patchStatuses: [],
      flushing: Promise.resolve(), restarting: false, video: null, stream: null };
    clients[name] = client;
    if (kind === 'publish') {
      client.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
      for (const track of client.stream.getTracks())
        pc.addTransceiver(track, { direction: 'sendonly', streams: [client.stream] });
    } else {
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
      pc.ontrack = (event) => {
        if (event.track.kind !== 'video') return;
        const video = document.createElement('video');
        video.muted = true;
        video.autoplay = true;
        video.srcObject = new MediaStream([event.track]);
        document.body.appendChild(video);
        client.video = video;
      };
    }
    pc.onicecandidate = (event) => {
      if (client.restarting) return;
      client.pending.push(event.candidate);
      void flush(client);
    };
    await pc.setLocalDescription(await pc.createOffer());
    // Trickle ICE: the offer goes at once, its candidates follow by PATCH.
    const response = await fetch(url, { method: 'POST', body: pc.localDescription.sdp,
      headers: { 'Content-Type': 'application/sdp', Authorization: 'Bearer ' + token } });
    const body = await response.text();
    if (response.status !== 201) throw new Error('POST answered ' + response.status + ': ' + body);
    client.location = new URL(response.headers.get('Location'), url).href;
    client.etag = response.headers.get('ETag');
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
    await flush(client);
    return { location: client.location, etag: client.etag, link: response.headers.get('Link'),
      contentType: response.headers.get('Content-Type') };
  },
  async restartIce(name) {
    const client = clients[name];
    const pc = client.pc;
    client.restarting = true;
    await client.flushing;
    await pc.setLocalDescription(await pc.createOffer({ iceRestart: true }));
    while (pc.iceGatheringState !== 'complete') await new Promise((resolve) => setTimeout(resolve, 20));
    const media = firstMediaOf(pc.localDescription.sdp);
    const candidates = [...media.matchAll(/^a=(candidate:[^\\r\\n]+)/gm)].map((match) => 'a=' + match[1]);
    const response = await fetch(client.location, { method: 'PATCH',
      body: fragment(client, [...candidates, 'a=end-of-candidates']),
      headers: { 'Content-Type': 'application/trickle-ice-sdpfrag', 'If-Match': '*' } });
    const answer = await response.text();
    const result = { status: response.status, contentType: response.headers.get('Content-Type'),
      oldEtag: client.etag, etag: response.headers.get('ETag') };
    if (response.status !== 200) return result;
    client.etag = result.etag;
    const remote = pc.remoteDescription.sdp
      .replace(/^a=ice-ufrag:.*$/gm, 'a=ice-ufrag:' + lineOf(answer, 'ice-ufrag'))
      .replace(/^a=ice-pwd:.*$/gm, 'a=ice-pwd:' + lineOf(answer, 'ice-pwd'))
      .replace(/^a=(candidate:.*|end-of-candidates)\\r\\n/gm, '');
    await pc.setRemoteDescription({ type: 'answer', sdp: remote });
    const mid = lineOf(answer, 'mid');
    for (const match of answer.matchAll(/^a=(candidate:[^\\r\\n]+)/gm))
      await pc.addIceCandidate({ candidate: match[1], sdpMid: mid });
    client.restarting = false;
    return result;
  },
  /** A trickle PATCH sent with the ETag the client had before its last ICE restart. */
  async patchWithEtag(name, etag) {
    const client = clients[name];
    const response = await fetch(client.location, { method: 'PATCH', body: fragment(client, ['a=end-of-candidates']),
      headers: { 'Content-Type': 'application/trickle-ice-sdpfrag', 'If-Match': etag } });
    return response.status;
  },
  location(name) {
    return clients[name].location;
  },
  async remove(name) {
    const response = await fetch(clients[name].location, { method: 'DELETE' });
    return response.status;
  },
  async stats(name) {
    const client = clients[name];
    let framesDecoded = 0;
    let iceUfrag;
    (await client.pc.getStats()).forEach((entry) => {
      if (entry.type === 'inbound-rtp' && entry.kind === 'video') framesDecoded += entry.framesDecoded || 0;
      if (entry.type === 'transport') iceUfrag = entry.iceLocalUsernameFragment;
    });
    return { framesDecoded, iceUfrag, connectionState: client.pc.connectionState, patchStatuses: client.patchStatuses };
  },
  /** Mean luma (0-255) of the picture shown. */
  brightness(name) {
    const video = clients[name].video;
    if (!video || video.videoWidth === 0) return -1;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context = canvas.getContext('2d');
    context.drawImage(video, 0, 0);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0;
    for (let index = 0; index < data.length; index += 4)
      sum += 0.299 * data[index] + 0.587 * data[index + 1] + 0.114 * data[index + 2];
    return sum / (data.length / 4);
  },
  /** A real offer, for requests that need one but no media. */
  async offer(kind) {
    const pc = new RTCPeerConnection({ iceServers: [] });
    pc.addTransceiver('audio', { direction: kind === 'publish' ? 'sendonly' : 'recvonly' });
    pc.addTransceiver('video', { direction: kind === 'publish' ? 'sendonly' : 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const sdp = pc.localDescription.sdp;
    pc.close();
    return sdp;
  },
};
`;

interface WhipPageApi {
  start(
    name: string,
    url: string,
    token: string,
    kind: 'publish' | 'play',
  ): Promise<{ location: string; etag: string; link: string | null; contentType: string | null }>;
  restartIce(
    name: string,
  ): Promise<{ status: number; contentType: string | null; oldEtag: string; etag: string | null }>;
  patchWithEtag(name: string, etag: string): Promise<number>;
  location(name: string): string;
  remove(name: string): Promise<number>;
  stats(name: string): Promise<{
    framesDecoded: number;
    /** The local ICE username fragment of the transport in use (changes with an ICE restart). */
    iceUfrag: string | undefined;
    connectionState: string;
    patchStatuses: number[];
  }>;
  brightness(name: string): number;
  offer(kind: 'publish' | 'play'): Promise<string>;
}

declare global {
  interface Window {
    whip: WhipPageApi;
  }
}

/**
 * Whether each `a=end-of-candidates` PATCHed reached a real ICE agent: the transports' own
 * method is wrapped (and called through) to read werift's state once it returned.
 */
const endsOfCandidates: boolean[] = [];
const addEndOfCandidates = WebRtcTransport.prototype.addEndOfCandidates;
WebRtcTransport.prototype.addEndOfCandidates = async function (this: WebRtcTransport) {
  await addEndOfCandidates.call(this);
  endsOfCandidates.push(this.remoteCandidatesComplete);
};

/** One Chromium for the whole file, shared by its suites. */
let sharedBrowser: Promise<MediaBrowser> | undefined;
function launchBrowserOnce(): Promise<MediaBrowser> {
  sharedBrowser ??= MediaBrowser.launch();
  return sharedBrowser;
}
after(async () => {
  await (await sharedBrowser)?.close();
});

const PUBLISH_TOKEN = 'publish-secret';
const VIEWERS = ['viewer-1', 'viewer-2', 'viewer-3'];
const PLAY_TOKEN = 'play-secret';

describe('WHIP and WHEP with Chromium', () => {
  let browser: MediaBrowser;
  let publisherPage: Page;
  let viewerPage: Page;
  let server: MediaServer;
  let baseUrl: string;
  let idleObjects: number;
  const verified: WhipTokenRequest[] = [];

  before(async () => {
    browser = await launchBrowserOnce();
    publisherPage = await browser.newPage();
    viewerPage = await browser.newPage();
    for (const page of [publisherPage, viewerPage])
      await page.addScriptTag({ content: WHIP_PAGE_SCRIPT });
    server = await startServer({
      collectMetrics: true,
      whip: {
        allowOrigins: [new URL(publisherPage.url()).origin],
        verifyToken: async (request) => {
          verified.push(request);
          return request.token === (request.action === 'publish' ? PUBLISH_TOKEN : PLAY_TOKEN);
        },
        iceServers: [
          { urls: 'stun:stun.example.net:3478' },
          { urls: 'turn:turn.example.net:3478?transport=udp', username: 'user', credential: 'pw' },
        ],
      },
    });
    assert.ok(server.whip);
    baseUrl = server.whip.baseUrl;
    idleObjects = server.objectCount;
  });

  after(async () => {
    await server?.close();
    await publisherPage?.close();
    await viewerPage?.close();
  });

  const stats = (page: Page, name: string) => page.evaluate((id) => window.whip.stats(id), name);
  async function decodesMore(page: Page, name: string, frames: number): Promise<void> {
    const start = (await stats(page, name)).framesDecoded;
    await eventually(
      async () => ((await stats(page, name)).framesDecoded >= start + frames ? true : undefined),
      `${name} decodes ${frames} more frames`,
      20_000,
    );
  }

  test('a page publishes its camera over WHIP with trickle ICE; three WHEP viewers decode it', async () => {
    const published = await publisherPage.evaluate(
      ([url, token]) => window.whip.start('publisher', url, token, 'publish'),
      [`${baseUrl}/whip/camera`, PUBLISH_TOKEN] as const,
    );
    assert.equal(published.contentType, 'application/sdp');
    assert.match(published.location, /\/whip\/camera\/[A-Za-z0-9_-]{24}$/);
    assert.match(published.etag, /^"[^"]+"$/);
    // Link and Location are readable cross-origin: the server exposes them (CORS).
    assert.equal(
      published.link,
      '<stun:stun.example.net:3478>; rel="ice-server", <turn:turn.example.net:3478?transport=udp>; rel="ice-server"; username="user"; credential="pw"; credential-type="password"',
    );
    for (const viewer of VIEWERS) {
      await viewerPage.evaluate(
        ([name, url, token]) => window.whip.start(name, url, token, 'play'),
        [viewer, `${baseUrl}/whep/camera`, PLAY_TOKEN] as const,
      );
    }
    for (const viewer of VIEWERS) await decodesMore(viewerPage, viewer, 20);
    for (const viewer of VIEWERS) {
      const brightness = await viewerPage.evaluate((name) => window.whip.brightness(name), viewer);
      assert.ok(brightness > 20, `${viewer} shows a picture, not black (mean luma ${brightness})`);
    }
    // Every trickled candidate was accepted with 204 No Content, and each client's final
    // a=end-of-candidates told the server's ICE agent that its candidates were complete.
    await eventually(
      () => (endsOfCandidates.length >= 1 + VIEWERS.length ? true : undefined),
      'the publisher and every viewer PATCH a=end-of-candidates',
      10_000,
    );
    assert.deepEqual(new Set(endsOfCandidates), new Set([true]));
    const trickled = (await stats(publisherPage, 'publisher')).patchStatuses;
    assert.ok(trickled.length > 0, 'the publisher trickled candidates by PATCH');
    assert.deepEqual(new Set(trickled), new Set([204]));
    assert.deepEqual(new Set((await stats(viewerPage, 'viewer-1')).patchStatuses), new Set([204]));
    assert.deepEqual(
      verified.map(({ action, stream, token }) => ({ action, stream, token })),
      [
        { action: 'publish', stream: 'camera', token: PUBLISH_TOKEN },
        ...VIEWERS.map(() => ({ action: 'play', stream: 'camera', token: PLAY_TOKEN })),
      ],
    );

    // The stream is a normal pipeline: a Kurento-Protocol client finds it by its tag.
    const [stream] = server.whip?.streams() ?? [];
    assert.equal(stream?.name, 'camera');
    assert.equal(stream?.viewers, VIEWERS.length);
    assert.equal(server.objectCount, idleObjects + 2 + VIEWERS.length, 'pipeline, endpoints');
    // Forwarded: the viewers get the publisher's packets, no stage decodes or encodes them.
    const processing = parsePrometheusText((await server.metrics?.metrics()) ?? '');
    for (const name of ['medley_transcoders', 'medley_processing_stages']) {
      const total = processing
        .filter((sample) => sample.name === name)
        .reduce((sum, sample) => sum + sample.value, 0);
      assert.equal(total, 0, `${name} while three viewers play`);
    }
    const client = await RpcClient.open(server.url);
    try {
      assert.equal(
        await client.invoke(stream.pipelineId, 'getTag', { key: 'whip.stream' }),
        'camera',
      );
      assert.equal(
        await client.invoke(stream.publisherId, 'getTag', { key: 'whip.role' }),
        'publisher',
      );
      // ...and extends it: an element of its own, fed by the WHIP publisher.
      const tap = await client.create('PassThrough', { mediaPipeline: stream.pipelineId });
      await client.invoke(stream.publisherId, 'connect', { sink: tap });
      await eventually(
        async () =>
          (await client.invoke(tap, 'isMediaFlowingIn', { mediaType: 'VIDEO' })) ? true : undefined,
        "the publisher's video reaches the application's element",
        10_000,
      );
      await client.call('release', { object: tap });
      assert.equal(server.objectCount, idleObjects + 2 + VIEWERS.length);
    } finally {
      await client.close();
    }
  });

  test('an ICE restart by PATCH answers the new credentials and keeps media flowing', async () => {
    const before = await stats(viewerPage, 'viewer-1');
    assert.ok(before.iceUfrag, 'Chromium reports the ICE session in use');
    const viewerRestart = await viewerPage.evaluate(() => window.whip.restartIce('viewer-1'));
    assert.equal(viewerRestart.status, 200);
    assert.equal(viewerRestart.contentType, 'application/trickle-ice-sdpfrag');
    assert.ok(viewerRestart.etag && viewerRestart.etag !== viewerRestart.oldEtag, 'a new ETag');
    await decodesMore(viewerPage, 'viewer-1', 20);
    await eventually(
      async () =>
        (await stats(viewerPage, 'viewer-1')).iceUfrag !== before.iceUfrag ? true : undefined,
      'the viewer carries media on the restarted ICE session',
      10_000,
    );

    const publisherRestart = await publisherPage.evaluate(() =>
      window.whip.restartIce('publisher'),
    );
    assert.equal(publisherRestart.status, 200);
    await decodesMore(viewerPage, 'viewer-2', 20);
    assert.equal((await stats(publisherPage, 'publisher')).connectionState, 'connected');

    // A trickle PATCH for the ICE session before the restart is refused (RFC 9725 §4.3.1).
    assert.equal(
      await viewerPage.evaluate(([name, etag]) => window.whip.patchWithEtag(name, etag), [
        'viewer-1',
        viewerRestart.oldEtag,
      ] as const),
      412,
    );
    assert.equal(
      await viewerPage.evaluate(([name, etag]) => window.whip.patchWithEtag(name, etag), [
        'viewer-1',
        viewerRestart.etag as string,
      ] as const),
      204,
    );
  });

  test('DELETE ends a viewer; the publisher’s DELETE ends the stream and its viewers, leaving no object', async () => {
    const remaining = await Promise.all(
      VIEWERS.slice(1).map((name) => sessionUrl(viewerPage, name)),
    );
    assert.equal(await viewerPage.evaluate(() => window.whip.remove('viewer-1')), 200);
    assert.equal(await viewerPage.evaluate(() => window.whip.remove('viewer-1')), 404);
    assert.equal(server.objectCount, idleObjects + 1 + VIEWERS.length);
    assert.equal(await publisherPage.evaluate(() => window.whip.remove('publisher')), 200);
    assert.equal(server.objectCount, idleObjects);
    assert.deepEqual(server.whip?.streams(), []);
    // The remaining viewer's session ended with the stream: its URL is gone, its peer cut off.
    for (const url of remaining) assert.equal((await fetch(url, { method: 'DELETE' })).status, 404);
    await eventually(
      async () =>
        (await stats(viewerPage, 'viewer-2')).connectionState !== 'connected' ? true : undefined,
      'the viewer of the ended stream loses its connection',
      40_000,
    );
    const offer = await viewerPage.evaluate(() => window.whip.offer('play'));
    const play = await post(`${baseUrl}/whep/camera`, offer, PLAY_TOKEN);
    assert.equal(play.status, 404);
  });

  test('every refused request is a clear HTTP error with a text body, and leaves no object behind', async () => {
    const publishOffer = await publisherPage.evaluate(() => window.whip.offer('publish'));
    const playOffer = await viewerPage.evaluate(() => window.whip.offer('play'));
    const whip = `${baseUrl}/whip/refusals`;
    const patch = (url: string, body: string, contentType = 'application/trickle-ice-sdpfrag') =>
      fetch(url, { method: 'PATCH', body, headers: { 'Content-Type': contentType } });
    async function expectRefusal(
      made: Promise<Response>,
      status: number,
      what: string,
    ): Promise<Response> {
      const response = await made;
      const body = await response.text();
      assert.equal(response.status, status, `${what}: ${body}`);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/, what);
      assert.ok(body.trim().length > 20, `${what} says what to do: ${body}`);
      assert.equal(server.objectCount, idleObjects, `${what} leaves no object behind`);
      return response;
    }
    await expectRefusal(post(whip, '', PUBLISH_TOKEN), 400, 'an empty offer');
    // WHEP's player always offers (draft-ietf-wish-whep-03): a POST asking for a server offer,
    // as earlier drafts had it, is told so, with or without a Content-Type.
    const asksForServerOffer = [
      () => post(`${baseUrl}/whep/camera`, '', PLAY_TOKEN),
      () =>
        fetch(`${baseUrl}/whep/camera`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${PLAY_TOKEN}` },
        }),
    ];
    for (const request of asksForServerOffer) {
      await expectRefusal(request(), 400, 'a WHEP POST without an offer');
      assert.match(await (await request()).text(), /player always offers.*server offers/);
    }
    await expectRefusal(post(whip, 'hello', PUBLISH_TOKEN), 400, 'a body that is not SDP');
    const broken = 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n';
    await expectRefusal(post(whip, broken, PUBLISH_TOKEN), 400, 'an SDP without media');
    await expectRefusal(
      post(`${baseUrl}/whip/two%20words`, publishOffer, PUBLISH_TOKEN),
      400,
      'a stream name with a space',
    );
    const missing = await expectRefusal(post(whip, publishOffer), 401, 'no token');
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="medley-whip"');
    const wrong = await expectRefusal(post(whip, publishOffer, 'guess'), 401, 'a wrong token');
    assert.match(wrong.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    await expectRefusal(
      post(`${baseUrl}/whep/camera`, playOffer, PUBLISH_TOKEN),
      401,
      'a publish token used to play (the verify function says no)',
    );
    await expectRefusal(
      post(`${baseUrl}/whep/nobody`, playOffer, PLAY_TOKEN),
      404,
      'playing a stream no one publishes',
    );
    await expectRefusal(
      patch(`${baseUrl}/whip/refusals/AAAAAAAAAAAAAAAAAAAAAAAA`, 'a=end-of-candidates\r\n'),
      404,
      'an unknown session',
    );
    await expectRefusal(fetch(`${baseUrl}/whip`, { method: 'POST' }), 404, 'no stream in the path');
    const putStream = await expectRefusal(
      fetch(whip, { method: 'PUT', body: 'x' }),
      405,
      'PUT on a stream',
    );
    assert.equal(putStream.headers.get('allow'), 'GET, HEAD, POST, OPTIONS');
    const putSession = await expectRefusal(
      fetch(`${whip}/AAAAAAAAAAAAAAAAAAAAAAAA`, { method: 'PUT', body: 'x' }),
      405,
      'PUT on a session',
    );
    assert.equal(putSession.headers.get('allow'), 'GET, HEAD, PATCH, DELETE, OPTIONS');
    await expectRefusal(
      fetch(`${whip}/AAAAAAAAAAAAAAAAAAAAAAAA`),
      404,
      'GET of an unknown session',
    );
    // GET and HEAD of an endpoint: 2xx without content (RFC 9725 §4.1), and WHEP's way to
    // recognise an endpoint (draft-ietf-wish-whep: Content-Type application/sdp).
    for (const method of ['GET', 'HEAD']) {
      for (const url of [whip, `${baseUrl}/whep/camera`]) {
        const described = await fetch(url, { method });
        assert.equal(described.status, 200, `${method} ${url}`);
        assert.equal(described.headers.get('content-type'), 'application/sdp');
        assert.equal(described.headers.get('content-length'), '0');
        assert.equal(await described.text(), '');
      }
    }
    await expectRefusal(
      post(whip, `v=0\r\n${'a=x\r\n'.repeat(300_000)}`, PUBLISH_TOKEN),
      413,
      'a body above the limit',
    );
    await expectRefusal(post(whip, publishOffer, PUBLISH_TOKEN, 'text/plain'), 415, 'text/plain');

    // A stream already published, and PATCHes a session cannot use.
    const first = await post(whip, publishOffer, PUBLISH_TOKEN);
    assert.equal(first.status, 201, await first.text());
    const location = new URL(first.headers.get('location') ?? '', whip).href;
    const published = server.objectCount;
    const expectSessionRefusal = async (made: Promise<Response>, status: number, what: string) => {
      const response = await made;
      const body = await response.text();
      assert.equal(response.status, status, `${what}: ${body}`);
      assert.ok(body.trim().length > 20, `${what} says what to do: ${body}`);
      assert.equal(server.objectCount, published, `${what} changes no object`);
    };
    await expectSessionRefusal(
      post(whip, publishOffer, PUBLISH_TOKEN),
      409,
      'a second publisher of the stream',
    );
    const session = await fetch(location);
    assert.equal(session.status, 200, 'GET of a live session');
    assert.equal(await session.text(), '');
    await expectSessionRefusal(
      patch(location, 'a=end-of-candidates', 'application/sdp'),
      415,
      'a PATCH of SDP',
    );
    await expectSessionRefusal(
      patch(location, 'not a fragment'),
      400,
      'a PATCH that is no fragment',
    );
    await expectSessionRefusal(
      patch(location, 'a=mid:0\r\na=candidate:1 1 udp 1 not-an-address 9 typ host\r\n'),
      400,
      'a malformed candidate',
    );
    await expectSessionRefusal(
      patch(location, 'a=ice-ufrag:abcd\r\na=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n'),
      400,
      'an ICE restart without a=ice-pwd',
    );
    assert.equal((await fetch(location, { method: 'DELETE' })).status, 200);
    assert.equal(server.objectCount, idleObjects);
  });

  test('CORS: a preflight of an allowed origin is answered, another origin is refused', async () => {
    const origin = new URL(publisherPage.url()).origin;
    const preflight = (from: string) =>
      fetch(`${baseUrl}/whip/camera`, {
        method: 'OPTIONS',
        headers: {
          Origin: from,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization, content-type',
        },
      });
    const allowed = await preflight(origin);
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), origin);
    assert.match(allowed.headers.get('access-control-allow-methods') ?? '', /POST.*PATCH.*DELETE/);
    assert.match(
      allowed.headers.get('access-control-allow-headers') ?? '',
      /Authorization.*Content-Type.*If-Match/,
    );
    assert.match(allowed.headers.get('vary') ?? '', /Origin/);
    const refused = await preflight('https://elsewhere.example');
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
    assert.match(await refused.text(), /--whip-allow-origin https:\/\/elsewhere\.example/);
    const plain = await fetch(`${baseUrl}/whip/camera`, { method: 'OPTIONS' });
    assert.equal(plain.status, 204);
    assert.equal(plain.headers.get('allow'), 'GET, HEAD, POST, OPTIONS');
    assert.equal(plain.headers.get('accept-post'), 'application/sdp');
  });

  function sessionUrl(page: Page, name: string): Promise<string> {
    return page.evaluate((id) => window.whip.location(id), name);
  }

  function post(url: string, body: string, token?: string, contentType = 'application/sdp') {
    return fetch(url, {
      method: 'POST',
      body,
      headers: {
        'Content-Type': contentType,
        ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
      },
    });
  }
});

describe('WHIP with a static token, admission control and a connect timeout', () => {
  let browser: MediaBrowser;
  let page: Page;
  let strict: MediaServer;
  let lenient: MediaServer;

  before(async () => {
    browser = await launchBrowserOnce();
    page = await browser.newPage();
    await page.addScriptTag({ content: WHIP_PAGE_SCRIPT });
    // Every endpoint is refused once the load is first sampled: any load exceeds the limit.
    strict = await startServer({ whip: { token: 'static-secret' }, maxLoad: Number.MIN_VALUE });
    lenient = await startServer({ whip: { connectTimeoutMs: 1000 } });
  });

  after(async () => {
    await strict?.close();
    await lenient?.close();
    await page?.close();
  });

  const bogusOffer = 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n';
  const postTo = (server: MediaServer, stream: string, body: string, token?: string) =>
    fetch(`${server.whip?.baseUrl}/whip/${stream}`, {
      method: 'POST',
      body,
      headers: {
        'Content-Type': 'application/sdp',
        ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
      },
    });

  test('the static token is checked: missing or wrong is 401, right passes', async () => {
    const idle = strict.objectCount;
    const missing = await postTo(strict, 's', bogusOffer);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="medley-whip"');
    const wrong = await postTo(strict, 's', bogusOffer, 'static-guess');
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /wrong/);
    const right = await postTo(strict, 's', bogusOffer, 'static-secret');
    assert.notEqual(right.status, 401, await right.text());
    assert.equal(strict.objectCount, idle);
  });

  test('admission control refuses with 503 and Retry-After, creating nothing', async () => {
    const idle = strict.objectCount;
    const refused = await eventually(
      async () => {
        const response = await postTo(strict, 'busy', bogusOffer, 'static-secret');
        const body = await response.text();
        assert.equal(strict.objectCount, idle, 'an admitted bad offer leaves nothing either');
        return response.status === 503 ? { response, body } : undefined;
      },
      'admission control refuses',
      10_000,
    );
    assert.equal(refused.response.headers.get('retry-after'), '5');
    assert.match(refused.body, /saturation/);
  });

  test('a publisher that never connects is ended after the connect timeout, freeing its stream', async () => {
    const idle = lenient.objectCount;
    const offer = await page.evaluate(() => window.whip.offer('publish'));
    const first = await postTo(lenient, 'vanished', offer);
    assert.equal(first.status, 201, await first.text());
    assert.equal(lenient.whip?.streams().length, 1);
    await eventually(
      () => (lenient.whip?.streams().length === 0 ? true : undefined),
      'the silent publisher is ended',
      15_000,
    );
    assert.equal(lenient.objectCount, idle);
    const again = await postTo(lenient, 'vanished', offer);
    assert.equal(again.status, 201, 'the name is free again');
    const location = new URL(again.headers.get('location') ?? '', lenient.whip?.baseUrl).href;
    assert.equal((await fetch(location, { method: 'DELETE' })).status, 200);
    assert.equal(lenient.objectCount, idle);
  });
});

describe('WHIP on the command line', () => {
  test('--whip and its settings become the whip option; the settings alone are an error', () => {
    const parsed = parseCommandLine(
      [
        '--whip',
        '--whip-token',
        't0ken',
        '--whip-allow-origin',
        'https://studio.example.com',
        '--whip-ice-servers',
        'stun:stun.example.net:3478,turn:user:pw@turn.example.net:3478?transport=udp',
      ],
      {},
    );
    assert.equal(parsed.kind, 'serve');
    assert.deepEqual(parsed.kind === 'serve' && parsed.options.whip, {
      token: 't0ken',
      allowOrigins: ['https://studio.example.com'],
      iceServers: [
        { urls: 'stun:stun.example.net:3478' },
        { urls: 'turn:turn.example.net:3478?transport=udp', username: 'user', credential: 'pw' },
      ],
    });
    const fromEnv = parseCommandLine([], { MEDLEY_WHIP: 'true' });
    assert.deepEqual(fromEnv.kind === 'serve' && fromEnv.options.whip, {});
    const off = parseCommandLine([], {});
    assert.equal(off.kind === 'serve' && off.options.whip, undefined);
    assert.throws(() => parseCommandLine(['--whip-token', 't'], {}), /need --whip/);
    assert.throws(
      () => parseCommandLine(['--whip', '--whip-ice-servers', 'http://x'], {}),
      /stun:/,
    );
    assert.match(usage(), /--whip\n/);
  });
});
