import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { ConfigurationError } from '../src/errors.js';
import { parseCommandLine } from '../src/server/commandLine.js';
import {
  type IceCandidate,
  IceUdpMux,
  loadNativeSrtp,
  WebRtcTransport,
  type WebRtcTransportOptions,
} from '../src/transport/index.js';
import { NativeSendBatch } from '../src/transport/srtp/NativeSendBatch.js';
import { SrtpWorkerPool } from '../src/transport/srtp/SrtpWorkerPool.js';
import { type Colour, CSS, waitForPicture } from './support/pictureColours.js';
import { sampleValue, scrape } from './support/prometheusText.js';
import { RpcClient } from './support/RpcClient.js';
import { eventually, startServer } from './support/server.js';
import { BrowserHarness, BrowserPeer, LOOPBACK } from './transport-harness.js';

/** The page's peers, with the RTCPeerConnection the harness keeps for each. */
type PeerPage = { peers: Record<string, { pc: RTCPeerConnection } | undefined> };

function portOf(candidate: IceCandidate): number {
  return Number(candidate.candidate.split(' ')[5]);
}

function collectCandidates(transport: WebRtcTransport): IceCandidate[] {
  const candidates: IceCandidate[] = [];
  transport.on('icecandidate', (candidate) => candidates.push(candidate));
  return candidates;
}

/** A STUN Binding request (RFC 5389) with the given USERNAME, no integrity. */
function bindingRequest(username: string): Buffer {
  const value = Buffer.from(username);
  const padded = Math.ceil(value.length / 4) * 4;
  const message = Buffer.alloc(20 + 4 + padded);
  message.writeUInt16BE(0x0001, 0);
  message.writeUInt16BE(4 + padded, 2);
  message.writeUInt32BE(0x2112a442, 4);
  message.fill(7, 8, 20);
  message.writeUInt16BE(0x0006, 20);
  message.writeUInt16BE(value.length, 22);
  value.copy(message, 24);
  return message;
}

describe('IceUdpMux: every transport on one UDP port', () => {
  const harness = new BrowserHarness();
  let page: Page;
  let mux: IceUdpMux;
  const transports: WebRtcTransport[] = [];
  const newTransport = (options: WebRtcTransportOptions = {}) => {
    const transport = new WebRtcTransport({ ...LOOPBACK, iceUdpMux: mux, ...options });
    transports.push(transport);
    return transport;
  };
  /** A browser sending `left|right` halves, echoed back by its own transport. */
  const loopbackPeer = async (id: string, left: Colour, right: Colour) => {
    const transport = newTransport({ name: id });
    transport.node.connect(transport.node);
    const candidates = collectCandidates(transport);
    const peer = await BrowserPeer.create(page, id, {
      source: 'synthetic',
      synthetic: { left: CSS[left as 'red'], right: CSS[right as 'red'], toneHz: 440 },
    });
    await peer.connectByBrowserOffer(transport);
    return { transport, peer, candidates };
  };

  before(async () => {
    mux = await IceUdpMux.bind({ port: 0 });
    await harness.start();
    page = await harness.newPage();
  });

  after(async () => {
    await Promise.all(transports.map((transport) => transport.close()));
    await mux.close();
    await harness.stop();
  });

  test('three browsers on one port each get their own media back, decrypted', async () => {
    const peers = await Promise.all([
      loopbackPeer('mux-a', 'red', 'blue'),
      loopbackPeer('mux-b', 'blue', 'red'),
      loopbackPeer('mux-c', 'green', 'red'),
    ]);
    for (const { candidates } of peers) {
      assert.ok(candidates.length > 0, 'a host candidate was announced');
      for (const candidate of candidates) assert.equal(portOf(candidate), mux.port);
    }
    await waitForPicture(peers[0].peer, 'red|blue');
    await waitForPicture(peers[1].peer, 'blue|red');
    await waitForPicture(peers[2].peer, 'green|red');
    for (const { peer } of peers) {
      await peer.waitForStats((stats) => stats.audioPacketsReceived > 20);
    }
    assert.ok(mux.counters.transports >= 3);
    assert.ok(mux.counters.routes >= 3, 'each browser is routed by its address');
    for (const { peer, transport } of peers) {
      await peer.close();
      await transport.close();
    }
  });

  /** A publisher browser fanned out to four browsers through `options`; each must decode it. */
  const fanOutToFour = async (name: string, options: WebRtcTransportOptions) => {
    const publisher = newTransport({ recvonly: true, name: `${name}-publisher` });
    const publisherPeer = await BrowserPeer.create(page, `${name}-publisher`, {
      receive: false,
      source: 'synthetic',
      synthetic: { left: CSS.green, right: CSS.blue, toneHz: 440 },
    });
    await publisherPeer.connectByBrowserOffer(publisher);
    const subscribers = await Promise.all(
      [0, 1, 2, 3].map(async (index) => {
        const transport = newTransport({ sendonly: true, ...options, name: `${name}-${index}` });
        publisher.node.connect(transport.node);
        const peer = await BrowserPeer.create(page, `${name}-${index}`, { send: false });
        await peer.connectByBrowserOffer(transport);
        return peer;
      }),
    );
    for (const peer of subscribers) await waitForPicture(peer, 'green|blue');
    for (const peer of subscribers) {
      const stats = await peer.waitForStats((stats) => stats.audioPacketsReceived > 50);
      assert.equal(stats.connectionState, 'connected');
    }
    for (const peer of [publisherPeer, ...subscribers]) await peer.close();
  };

  test('natively sent on the mux, one packet goes to every subscriber in one sendmmsg, each copy under its own keys', async (context) => {
    const loaded = loadNativeSrtp();
    if (!('binding' in loaded)) {
      context.skip(loaded.error.message);
      return;
    }
    const nativeSrtp = loaded.binding;
    const before = NativeSendBatch.of(nativeSrtp).counters;
    await fanOutToFour('batch', { nativeSrtp });
    const after = NativeSendBatch.of(nativeSrtp).counters;
    const queued = after.queued - before.queued;
    const flushes = after.flushes - before.flushes;
    assert.ok(queued > 100, `${queued} packets were queued`);
    // Four subscribers of one publisher: most flushes carry a packet's four copies.
    assert.ok(queued / flushes > 2, `${queued} packets in ${flushes} flushes`);
  });

  test('native send workers batch on the mux too, and every subscriber decodes its stream', async (context) => {
    const loaded = loadNativeSrtp();
    if (!('binding' in loaded)) {
      context.skip(loaded.error.message);
      return;
    }
    const srtpWorkers = new SrtpWorkerPool(1, loaded.binding);
    try {
      await fanOutToFour('workers', { srtpWorkers });
    } finally {
      await srtpWorkers.close();
    }
  });

  test('closing a transport frees its routes; a stray datagram is dropped and counted', async () => {
    const kept = await loopbackPeer('kept', 'red', 'blue');
    const closed = await loopbackPeer('closed', 'blue', 'red');
    await waitForPicture(kept.peer, 'red|blue');
    await waitForPicture(closed.peer, 'blue|red');
    const before = mux.counters;
    await closed.peer.close();
    await closed.transport.close();
    const after = mux.counters;
    assert.equal(after.transports, before.transports - 1);
    assert.ok(after.routes < before.routes, `routes ${before.routes} → ${after.routes}`);

    const stray = createSocket('udp4');
    await new Promise<void>((resolve) => stray.bind(0, '127.0.0.1', resolve));
    const dropped = mux.counters.droppedFromUnknownSources;
    stray.send(Buffer.from('not a packet of any peer'), mux.port, '127.0.0.1');
    stray.send(bindingRequest('nobody:stray'), mux.port, '127.0.0.1');
    await eventually(
      () => (mux.counters.droppedFromUnknownSources >= dropped + 2 ? true : undefined),
      'the mux counts both stray datagrams',
    );
    stray.close();
    // The other peer keeps receiving.
    const frames = (await kept.peer.stats()).framesDecoded;
    await kept.peer.waitForStats((stats) => stats.framesDecoded > frames + 10);
    await kept.peer.close();
    await kept.transport.close();
  });

  test('an ICE restart finds the agent again by its new ufrag and media keeps flowing', async () => {
    const { transport, peer } = await loopbackPeer('restart', 'green', 'blue');
    await waitForPicture(peer, 'green|blue');
    const offer = await page.evaluate(async (id) => {
      const pc = (window as unknown as PeerPage).peers[id]?.pc;
      if (!pc) throw new Error('no peer');
      pc.restartIce();
      const description = await pc.createOffer();
      await pc.setLocalDescription(description);
      return description.sdp ?? '';
    }, 'restart');
    const ufrag = /a=ice-ufrag:(\S+)/.exec(offer)?.[1] ?? '';
    const password = /a=ice-pwd:(\S+)/.exec(offer)?.[1] ?? '';
    const answer = await transport.restartIce({ usernameFragment: ufrag, password });
    await page.evaluate(
      ([id, sdp]) =>
        (window as unknown as PeerPage).peers[id ?? '']?.pc.setRemoteDescription({
          type: 'answer',
          sdp,
        }),
      ['restart', answer] as const,
    );
    // The browser's candidates of the new session (same addresses, new ufrag).
    await sleep(500);
    const candidates = await page.evaluate(
      (id) => (window as unknown as PeerPage).peers[id]?.pc.localDescription?.sdp ?? '',
      'restart',
    );
    for (const line of candidates
      .split('\r\n')
      .filter((l: string) => l.startsWith('a=candidate:'))) {
      await transport
        .addIceCandidate({ candidate: line.slice(2), sdpMid: '0', sdpMLineIndex: 0 })
        .catch(() => {});
    }
    const ufragOf = async () =>
      page.evaluate(async (id) => {
        const stats = await (window as unknown as PeerPage).peers[id]?.pc.getStats();
        let pair = '';
        stats?.forEach((entry: { type: string; iceLocalUsernameFragment?: string }) => {
          if (entry.type === 'transport') pair = entry.iceLocalUsernameFragment ?? '';
        });
        return pair;
      }, 'restart');
    await eventually(
      async () => ((await ufragOf()) === ufrag ? true : undefined),
      'the browser uses the restarted ICE session',
      20_000,
    );
    const frames = (await peer.stats()).framesDecoded;
    await peer.waitForStats((stats) => stats.framesDecoded > frames + 10);
    await peer.close();
    await transport.close();
  });

  test('through the Kurento Protocol, a server with ice.udpPort echoes two browsers their own media', async () => {
    const free = createSocket('udp4');
    await new Promise<void>((resolve) => free.bind(0, '0.0.0.0', resolve));
    const port = free.address().port;
    await new Promise<void>((resolve) => free.close(resolve));
    const server = await startServer({ ice: { udpPort: port }, metricsPort: 0 });
    const client = await RpcClient.open(server.url);
    try {
      const pipeline = await client.create('MediaPipeline');
      const looks: [string, Colour, Colour][] = [
        ['server-a', 'red', 'green'],
        ['server-b', 'blue', 'red'],
      ];
      const peers = [];
      for (const [id, left, right] of looks) {
        const endpoint = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
        await client.invoke(endpoint, 'connect', { sink: endpoint });
        const peer = await BrowserPeer.create(page, id, {
          source: 'synthetic',
          synthetic: { left: CSS[left as 'red'], right: CSS[right as 'red'], toneHz: 440 },
        });
        await peer.connectToEndpoint(client, endpoint);
        peers.push({ peer, wanted: `${left}|${right}` });
      }
      for (const { peer, wanted } of peers) await waitForPicture(peer, wanted);

      const metrics = `http://127.0.0.1:${server.metricsPort}/metrics`;
      const samples = await scrape(metrics);
      assert.ok(sampleValue(samples, 'medley_ice_udp_mux_transports') >= 2, 'both agents attached');
      assert.ok(sampleValue(samples, 'medley_ice_udp_mux_routes') >= 2, 'both browsers routed');
      const droppedBefore = sampleValue(samples, 'medley_ice_udp_mux_dropped_datagrams_total');
      const stray = createSocket('udp4');
      await new Promise<void>((resolve) =>
        stray.send(Buffer.from('stray'), port, '127.0.0.1', () => resolve()),
      );
      stray.close();
      await eventually(
        async () =>
          sampleValue(await scrape(metrics), 'medley_ice_udp_mux_dropped_datagrams_total') >
            droppedBefore || undefined,
        'the stray datagram is counted as dropped',
        20_000,
      );
      for (const { peer } of peers) await peer.close();
    } finally {
      await client.close();
      await server.close();
    }
  });

  test('without a mux, each transport binds a port of its own (the default)', async () => {
    const ports = await Promise.all(
      [0, 1].map(async () => {
        const transport = new WebRtcTransport({ ...LOOPBACK });
        transports.push(transport);
        const candidates = collectCandidates(transport);
        await transport.generateOffer();
        await transport.gatherCandidates();
        return portOf(candidates[0] as IceCandidate);
      }),
    );
    assert.notEqual(ports[0], ports[1]);
    assert.ok(!ports.includes(mux.port));
  });
});

describe('--ice-udp-port', () => {
  test('is read from the command line and the environment', () => {
    const flag = parseCommandLine(['--ice-udp-port', '40000'], {});
    assert.equal(flag.kind === 'serve' && flag.options.ice?.udpPort, 40000);
    const variable = parseCommandLine([], { MEDLEY_ICE_UDP_PORT: '40001' });
    assert.equal(variable.kind === 'serve' && variable.options.ice?.udpPort, 40001);
    assert.throws(() => parseCommandLine(['--ice-udp-port', 'x'], {}), /--ice-udp-port/);
  });

  test("a server's WebRtcEndpoints all announce that port, freed when the server closes", async () => {
    const free = createSocket('udp4');
    await new Promise<void>((resolve) => free.bind(0, '0.0.0.0', resolve));
    const port = free.address().port;
    await new Promise<void>((resolve) => free.close(resolve));
    const server = await startServer({ ice: { udpPort: port } });
    const client = await RpcClient.open(server.url);
    const pipeline = await client.create('MediaPipeline');
    for (const _ of [0, 1]) {
      const endpoint = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
      const offer = (await client.invoke(endpoint, 'generateOffer')) as string;
      await client.invoke(endpoint, 'gatherCandidates');
      const local = (await client.invoke(endpoint, 'getLocalSessionDescriptor')) as string;
      const ports = [...`${offer}\n${local}`.matchAll(/a=candidate:\S+ 1 udp \d+ [\d.]+ (\d+)/g)];
      assert.ok(ports.length > 0, 'an IPv4 host candidate');
      for (const [, announced] of ports) assert.equal(Number(announced), port);
    }
    await client.close();
    await server.close();
    const again = createSocket('udp4');
    await new Promise<void>((resolve) => again.bind(port, '0.0.0.0', resolve));
    again.close();
  });

  test('a server that cannot listen frees the ICE port again', async () => {
    const first = await startServer();
    const taken = Number(new URL(first.url).port);
    const free = createSocket('udp4');
    await new Promise<void>((resolve) => free.bind(0, '0.0.0.0', resolve));
    const port = free.address().port;
    await new Promise<void>((resolve) => free.close(resolve));
    await assert.rejects(startServer({ port: taken, ice: { udpPort: port } }));
    await first.close();
    const again = createSocket('udp4');
    await new Promise<void>((resolve) => again.bind(port, '0.0.0.0', resolve));
    again.close();
  });

  test('a port that cannot be bound stops the start-up with a ConfigurationError', async () => {
    const taken = createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '0.0.0.0', resolve));
    await assert.rejects(
      startServer({ ice: { udpPort: taken.address().port } }),
      (error: unknown) =>
        error instanceof ConfigurationError && /Cannot bind the ICE UDP port/.test(error.message),
    );
    taken.close();
  });
});
