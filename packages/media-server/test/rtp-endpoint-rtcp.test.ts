import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { MediaServer } from '../src/index.js';
import { freeRtpPort, isUdpPortBound, mediaPort, peerSdp, runFfmpeg } from './support/ffmpegRtp.js';
import { assertKmdShape } from './support/kurentoStatsShapes.js';
import { probe } from './support/mediaFiles.js';
import { type EventNotification, RpcClient } from './support/RpcClient.js';
import {
  genericNack,
  goodbyeFor,
  keyframeRequest,
  RawRtpPeer,
  type ReceivedRtcp,
} from './support/rawRtpPeer.js';
import { eventually, startServer } from './support/server.js';

const run = promisify(execFile);
const NTP_UNIX_OFFSET_SECONDS = 2_208_988_800;
const NACK_RECEIVER_SCRIPT = fileURLToPath(
  new URL('./support/rtp_nack_receiver.py', import.meta.url),
);
/** Every 25th datagram to the GStreamer receiver is dropped: 4 % loss, the same in every run. */
const DROP_EVERY = 25;

/** What the GStreamer receiver reports (see support/rtp_nack_receiver.py). */
interface ReceiverReport {
  readonly frames: number;
  readonly 'num-pushed': number;
  readonly 'num-lost': number;
  readonly 'rtx-count': number;
  readonly error?: string;
}

/** Drops every DROP_EVERY-th UDP datagram to `port` inside this test's network namespace. */
async function dropDatagramsTo(context: TestContext, port: number): Promise<() => Promise<number>> {
  const table = `medley_nack_${port}`;
  await run('nft', ['add', 'table', 'inet', table]);
  context.after(() => run('nft', ['delete', 'table', 'inet', table]).catch(() => undefined));
  await run('nft', [
    ...['add', 'chain', 'inet', table, 'output'],
    '{ type filter hook output priority 0; }',
  ]);
  await run('nft', [
    ...['add', 'rule', 'inet', table, 'output'],
    `udp dport ${port} numgen inc mod ${DROP_EVERY} == 0 counter drop`,
  ]);
  return async () => {
    const { stdout } = await run('nft', ['list', 'table', 'inet', table]);
    return Number(/counter packets (\d+)/.exec(stdout)?.[1] ?? 0);
  };
}

interface Variant {
  readonly name: string;
  readonly rtcpMux: boolean;
  readonly srtp: boolean;
}

const VARIANTS: readonly Variant[] = [
  { name: 'plain RTP, RTCP on the next port', rtcpMux: false, srtp: false },
  { name: 'plain RTP with rtcp-mux', rtcpMux: true, srtp: false },
  { name: 'SDES-SRTP (AES_CM_128_HMAC_SHA1_80)', rtcpMux: false, srtp: true },
];

function outboundOf(stats: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const outbound = Object.values(stats).find((entry) => entry.type === 'outboundrtp');
  assert.ok(outbound, 'an outboundrtp entry');
  return outbound;
}

function isPliFor(ssrc: number) {
  return (packet: ReceivedRtcp) =>
    packet.type === 206 && packet.format === 1 && packet.bytes.readUInt32BE(8) === ssrc;
}

/**
 * RTCP between an RtpEndpoint and plain-RTP peers, byte for byte: a sender peer feeds one
 * RtpEndpoint, which is connected to a second one that sends to a receiver peer. The receiver's
 * generic NACKs are answered with the packets it lost, its PLI/FIR reach the sender, it gets
 * sender reports with a CNAME, and BYE is honoured both ways (ffmpeg ends its input on ours).
 */
describe('RtpEndpoint RTCP with plain-RTP peers', () => {
  let server: MediaServer;
  let client: RpcClient;

  before(async () => {
    server = await startServer();
    client = await RpcClient.open(server.url);
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  async function newPipeline(context: TestContext): Promise<string> {
    const pipeline = await client.create('MediaPipeline');
    context.after(() => client.call('release', { object: pipeline }).catch(() => undefined));
    return pipeline;
  }

  function rtpEndpoint(pipeline: string, srtp: boolean): Promise<string> {
    return client.create('RtpEndpoint', {
      mediaPipeline: pipeline,
      ...(srtp
        ? {
            crypto: { __type__: 'SDES', __module__: 'elements', crypto: 'AES_128_CM_HMAC_SHA1_80' },
          }
        : {}),
    });
  }

  /** sender peer → ingest RtpEndpoint → egress RtpEndpoint → receiver peer, media flowing. */
  async function chain(context: TestContext, variant: Variant) {
    const pipeline = await newPipeline(context);
    const ingest = await rtpEndpoint(pipeline, variant.srtp);
    const egress = await rtpEndpoint(pipeline, variant.srtp);
    const sender = await RawRtpPeer.open({ direction: 'sendonly', ...variant });
    const receiver = await RawRtpPeer.open({ direction: 'recvonly', ...variant });
    context.after(() => {
      sender.close();
      receiver.close();
    });
    sender.applyAnswer(
      (await client.invoke(ingest, 'processOffer', { offer: sender.offer() })) as string,
    );
    const answer = (await client.invoke(egress, 'processOffer', {
      offer: receiver.offer(),
    })) as string;
    receiver.applyAnswer(answer);
    await client.invoke(ingest, 'connect', { sink: egress });
    const sending = { ssrc: sender.ssrc, index: 0, beforeEachPacket: () => {} };
    const timer = setInterval(() => {
      sending.beforeEachPacket();
      sender.sendVideoPacket(sending.index++, sending.ssrc);
    }, 20);
    context.after(() => clearInterval(timer));
    await eventually(
      () => (receiver.received.length >= 10 ? true : undefined),
      'media reaches the receiver',
      20_000,
    );
    return { pipeline, ingest, egress, sender, receiver, answer, sending };
  }

  for (const variant of VARIANTS) {
    test(`${variant.name}: a generic NACK is answered with the very packets it names`, async (context) => {
      const { egress, receiver, answer } = await chain(context, variant);
      assert.match(answer, /^a=rtcp-fb:96 nack$/m, 'the answer takes generic NACK');
      const lost = receiver.received[3];
      assert.ok(lost);
      const alsoLost = (lost.sequenceNumber + 2) & 0xffff;
      assert.equal(receiver.copiesOf(alsoLost).length, 1);
      // PID = lost, BLP bit 1 = lost + 2.
      receiver.sendRtcp(genericNack(receiver.ssrc, lost.ssrc, lost.sequenceNumber, 0b10));
      await eventually(
        () =>
          receiver.copiesOf(lost.sequenceNumber).length >= 2 &&
          receiver.copiesOf(alsoLost).length >= 2
            ? true
            : undefined,
        'both NACKed packets arrive again',
        10_000,
      );
      for (const sequenceNumber of [lost.sequenceNumber, alsoLost]) {
        const [first, again] = receiver.copiesOf(sequenceNumber);
        assert.deepEqual(again?.bytes, first?.bytes, `packet ${sequenceNumber} is resent as sent`);
      }
      assert.equal(
        receiver.copiesOf((lost.sequenceNumber + 1) & 0xffff).length,
        1,
        'a packet not NACKed is not resent',
      );
      assert.equal(receiver.authenticationFailures, 0);
      const outbound = outboundOf(
        (await client.invoke(egress, 'getStats', { mediaType: 'VIDEO' })) as Record<
          string,
          Record<string, unknown>
        >,
      );
      assert.equal(outbound.nackCount, 1);
      assert.equal(outbound.retransmittedPacketsSent, 2);
    });
  }

  test('a PLI and a FIR from the receiver reach the sender as keyframe requests', async (context) => {
    const { egress, sender, receiver } = await chain(context, VARIANTS[0] as Variant);
    const mediaSsrc = (receiver.received[0] as { ssrc: number }).ssrc;
    const plis = () => sender.rtcpReceived.filter(isPliFor(sender.ssrc)).length;
    const before = plis();
    receiver.sendRtcp(keyframeRequest(receiver.ssrc, mediaSsrc));
    await eventually(() => (plis() > before ? true : undefined), 'the PLI reaches the sender');
    receiver.sendRtcp(keyframeRequest(receiver.ssrc, mediaSsrc, true));
    // The source paces keyframe requests (one per 500 ms): the FIR's follows.
    await eventually(() => (plis() > before + 1 ? true : undefined), 'the FIR reaches the sender');
    const outbound = outboundOf(
      (await client.invoke(egress, 'getStats', { mediaType: 'VIDEO' })) as Record<
        string,
        Record<string, unknown>
      >,
    );
    assert.equal(outbound.pliCount, 1);
    assert.equal(outbound.firCount, 1);
  });

  test("getStats counts the loss and jitter of what it receives, and takes the receiver's loss and round trip from its reports", async (context) => {
    const { ingest, egress, sender, receiver, sending } = await chain(
      context,
      VARIANTS[0] as Variant,
    );
    // Every 10th packet is never sent: the ingest sees the gaps in the sequence numbers.
    sending.beforeEachPacket = () => {
      if (sending.index % 10 === 9) sending.index++;
    };
    const statsOf = async (endpoint: string) =>
      (await client.invoke(endpoint, 'getStats', { mediaType: 'VIDEO' })) as Record<
        string,
        Record<string, unknown>
      >;
    const ingestStats = await eventually(async () => {
      const stats = await statsOf(ingest);
      const inbound = Object.values(stats).find((entry) => entry.type === 'inboundrtp');
      return (inbound?.packetsLost as number) >= 3 ? stats : undefined;
    }, 'gaps counted as lost');
    for (const entry of Object.values(ingestStats)) assertKmdShape(entry);
    const inbound = Object.values(ingestStats).find((entry) => entry.type === 'inboundrtp');
    assert.equal(inbound?.ssrc, String(sender.ssrc));
    assert.ok((inbound?.fractionLost as number) > 0, `fraction lost ${inbound?.fractionLost}`);
    assert.ok((inbound?.jitter as number) >= 0 && (inbound?.jitter as number) < 1);
    assert.equal(ingestStats[inbound?.codecId as string]?.codec, 'video/VP8');

    // The receiver reports 5 lost and half of the last interval, and a delay since our last
    // report 250 ms short of the time since it was sent: a round trip of 250 ms.
    const report = await eventually(
      () => receiver.rtcpReceived.findLast((packet) => packet.type === 200),
      'a sender report arrives',
      10_000,
    );
    const block = Buffer.alloc(32);
    block[0] = 0x81;
    block[1] = 201;
    block.writeUInt16BE(7, 2);
    block.writeUInt32BE(receiver.ssrc, 4);
    block.writeUInt32BE(report.bytes.readUInt32BE(4), 8);
    block[12] = 128;
    block.writeUIntBE(5, 13, 3);
    block.writeUInt32BE(report.bytes.readUInt32BE(10), 24);
    const sentAtMs =
      (report.bytes.readUInt32BE(8) - NTP_UNIX_OFFSET_SECONDS) * 1000 +
      (report.bytes.readUInt32BE(12) / 2 ** 32) * 1000;
    const delaySeconds = Math.max(0, (Date.now() - sentAtMs) / 1000 - 0.25);
    block.writeUInt32BE(Math.round(delaySeconds * 65536), 28);
    receiver.sendRtcp(block);
    const outbound = await eventually(async () => {
      const stats = await statsOf(egress);
      const entry = Object.values(stats).find((candidate) => candidate.type === 'outboundrtp');
      return entry?.packetsLost === 5 ? entry : undefined;
    }, "the receiver's report reaches the stats");
    assertKmdShape(outbound);
    assert.equal(outbound.fractionLost, 128);
    assert.equal(outbound.ssrc, String(report.bytes.readUInt32BE(4)));
    const roundTrip = outbound.roundTripTime as number;
    assert.ok(roundTrip >= 0.2 && roundTrip < 5, `round trip ${roundTrip} s`);
  });

  test('the receiver gets sender reports mapping RTP time to wall-clock time, with a CNAME', async (context) => {
    const { receiver } = await chain(context, { name: 'srtp, mux', rtcpMux: true, srtp: true });
    const report = await eventually(
      () => receiver.rtcpReceived.find((packet) => packet.type === 200),
      'a sender report arrives',
      10_000,
    );
    const mediaSsrc = (receiver.received[0] as { ssrc: number }).ssrc;
    assert.equal(report.bytes.readUInt32BE(4), mediaSsrc, 'the report is about the stream sent');
    const ntpMs =
      (report.bytes.readUInt32BE(8) - NTP_UNIX_OFFSET_SECONDS) * 1000 +
      (report.bytes.readUInt32BE(12) / 2 ** 32) * 1000;
    assert.ok(Math.abs(ntpMs - Date.now()) < 60_000, `NTP time ${new Date(ntpMs).toISOString()}`);
    const lastBefore = receiver.received[report.rtpReceivedBefore - 1];
    assert.ok(lastBefore, 'media came before the report');
    const ticks = (report.bytes.readUInt32BE(16) - lastBefore.timestamp) | 0;
    assert.ok(
      ticks >= 0 && ticks < 90_000,
      `the report's RTP time is that of the latest frame plus the time since (${ticks} ticks)`,
    );
    const packetCount = report.bytes.readUInt32BE(20);
    assert.ok(packetCount >= 1 && packetCount <= report.rtpReceivedBefore + 1, `${packetCount}`);
    const description = receiver.rtcpReceived.find((packet) => packet.type === 202);
    assert.ok(description, 'an SDES packet comes with the report');
    assert.equal(description.bytes.readUInt32BE(4), mediaSsrc);
    assert.equal(description.bytes[8], 1, 'its item is a CNAME');
    const cname = description.bytes.subarray(10, 10 + (description.bytes[9] as number));
    assert.match(cname.toString('utf8'), /^medley-/);
    assert.equal(receiver.authenticationFailures, 0);
  });

  test('a sender that says goodbye and comes back with another SSRC (a restarted ffmpeg)', async (context) => {
    const { ingest, sender, receiver, sending } = await chain(context, {
      name: 'mux',
      rtcpMux: true,
      srtp: false,
    });
    await client.call('subscribe', { object: ingest, type: 'MediaStateChanged' });
    const from = client.received.length;
    const outputSsrc = (receiver.received[0] as { ssrc: number }).ssrc;
    let switchedAt = -1;
    // BYE and the next RTP go on the same socket (rtcp-mux), so they arrive in this order.
    sending.beforeEachPacket = () => {
      if (switchedAt >= 0) return;
      sender.sendRtcp(goodbyeFor(sending.ssrc));
      sending.ssrc = (sending.ssrc + 1) >>> 0;
      switchedAt = receiver.received.length;
    };
    const stateChange = (state: string, after: number) =>
      client.waitFor(
        (message): message is EventNotification =>
          'method' in message &&
          message.method === 'onEvent' &&
          message.params.value.type === 'MediaStateChanged' &&
          message.params.value.data.newState === state,
        after,
      );
    const disconnected = await stateChange('DISCONNECTED', from);
    await stateChange('CONNECTED', client.received.indexOf(disconnected) + 1);
    await eventually(
      () => (receiver.received.length > switchedAt + 10 ? true : undefined),
      'media of the new SSRC reaches the receiver',
    );
    const received = receiver.received.slice(Math.max(0, switchedAt - 3));
    for (const [index, packet] of received.entries()) {
      assert.equal(packet.ssrc, outputSsrc, 'the receiver sees one stream');
      const previous = received[index - 1];
      if (previous) {
        assert.equal(
          packet.sequenceNumber,
          (previous.sequenceNumber + 1) & 0xffff,
          'sequence numbers continue across the restart',
        );
      }
    }
  });

  test('GStreamer (rtpbin, do-retransmission) behind 4 % loss NACKs what it misses and loses nothing', async (context) => {
    const pipeline = await newPipeline(context);
    const ingest = await rtpEndpoint(pipeline, false);
    const egress = await rtpEndpoint(pipeline, false);
    await client.invoke(ingest, 'connect', { sink: egress });
    const receiverPort = await freeRtpPort();
    const answer = (await client.invoke(egress, 'processOffer', {
      offer: peerSdp({
        kind: 'video',
        port: receiverPort,
        payloadType: 97,
        rtpmap: 'VP8/90000',
        direction: 'recvonly',
      }),
    })) as string;
    const egressRtcpPort = Number(/^a=rtcp:(\d+)/m.exec(answer)?.[1]);
    const dropped = await dropDatagramsTo(context, receiverPort);

    const gstreamer = spawn(
      '/usr/bin/python3',
      [NACK_RECEIVER_SCRIPT, String(receiverPort), String(egressRtcpPort)],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    context.after(() => {
      gstreamer.stdin.end();
      gstreamer.kill('SIGTERM');
    });
    let stderr = '';
    gstreamer.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const reports: ReceiverReport[] = [];
    let ready = false;
    createInterface({ input: gstreamer.stdout }).on('line', (line) => {
      if (line === 'ready') ready = true;
      else reports.push(JSON.parse(line) as ReceiverReport);
    });
    await eventually(() => (ready ? true : undefined), `GStreamer starts: ${stderr}`, 20_000);

    const senderPort = await freeRtpPort();
    const ingestAnswer = (await client.invoke(ingest, 'processOffer', {
      offer: peerSdp({
        kind: 'video',
        port: senderPort,
        payloadType: 96,
        rtpmap: 'VP8/90000',
        direction: 'sendonly',
      }),
    })) as string;
    const sender = runFfmpeg([
      ...['-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-an'],
      ...['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '400k', '-g', '60'],
      ...['-payload_type', '96', '-f', 'rtp'],
      `rtp://127.0.0.1:${mediaPort(ingestAnswer, 'video')}?localrtpport=${senderPort}&localrtcpport=${senderPort + 1}`,
    ]);
    context.after(() => sender.stop());
    const last = await eventually(
      () => {
        const report = reports.at(-1);
        if (report?.error) throw new Error(`GStreamer failed: ${report.error}`);
        return report && report.frames >= 150 ? report : undefined;
      },
      'GStreamer decodes 150 frames',
      60_000,
    );
    const droppedCount = await dropped();
    const outbound = outboundOf(
      (await client.invoke(egress, 'getStats', { mediaType: 'VIDEO' })) as Record<
        string,
        Record<string, unknown>
      >,
    );
    const detail = `dropped ${droppedCount}, GStreamer ${JSON.stringify(last)}, server ${JSON.stringify(outbound)}`;
    assert.ok(droppedCount >= 5, `enough loss to matter: ${detail}`);
    assert.ok(last['rtx-count'] > 0, `GStreamer asked for retransmissions: ${detail}`);
    assert.ok(Number(outbound.nackCount) > 0, `its NACKs reached the endpoint: ${detail}`);
    assert.ok(Number(outbound.retransmittedPacketsSent) > 0, `the endpoint resent: ${detail}`);
    assert.ok(
      last['num-lost'] * 4 <= droppedCount,
      `what was dropped came again before GStreamer gave it up: ${detail}`,
    );
  });

  test('releasing the endpoint says goodbye: an ffmpeg receiving from it ends its file by itself', async (context) => {
    const pipeline = await newPipeline(context);
    const ingest = await rtpEndpoint(pipeline, false);
    const egress = await rtpEndpoint(pipeline, false);
    await client.invoke(ingest, 'connect', { sink: egress });
    const dir = await mkdtemp(join(tmpdir(), 'medley-rtcp-'));
    context.after(() => rm(dir, { recursive: true, force: true }));

    const receiverPort = await freeRtpPort();
    const receiverOffer = peerSdp({
      kind: 'video',
      port: receiverPort,
      payloadType: 97,
      rtpmap: 'VP8/90000',
      direction: 'recvonly',
    });
    await client.invoke(egress, 'processOffer', { offer: receiverOffer });
    const sdpFile = join(dir, 'receive.sdp');
    await writeFile(sdpFile, receiverOffer);
    const file = join(dir, 'received.webm');
    const receiver = runFfmpeg([
      ...['-loglevel', 'debug', '-protocol_whitelist', 'file,udp,rtp'],
      ...['-i', sdpFile, '-c', 'copy', file],
    ]);
    context.after(() => receiver.stop());
    await eventually(
      async () => ((await isUdpPortBound(receiverPort)) ? true : undefined),
      'ffmpeg listens on its RTP port',
    );

    const senderPort = await freeRtpPort();
    const answer = (await client.invoke(ingest, 'processOffer', {
      offer: peerSdp({
        kind: 'video',
        port: senderPort,
        payloadType: 96,
        rtpmap: 'VP8/90000',
        direction: 'sendonly',
      }),
    })) as string;
    const sender = runFfmpeg([
      ...['-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-an'],
      ...['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '300k', '-g', '30'],
      ...['-payload_type', '96', '-f', 'rtp'],
      `rtp://127.0.0.1:${mediaPort(answer, 'video')}?localrtpport=${senderPort}&localrtcpport=${senderPort + 1}`,
    ]);
    context.after(() => sender.stop());
    await eventually(
      async () => {
        const stats = (await client.invoke(egress, 'getStats', { mediaType: 'VIDEO' })) as Record<
          string,
          Record<string, unknown>
        >;
        return Number(outboundOf(stats).packetsSent) > 60 ? true : undefined;
      },
      'the egress endpoint sends to ffmpeg',
      30_000,
    );
    await client.call('release', { object: egress });
    const exited = await Promise.race([
      receiver.exited,
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 30_000)),
    ]);
    assert.equal(exited, 0, `ffmpeg ends: ${receiver.log().slice(-2000)}`);
    // Not its own 10 s silence timeout: the BYE ended it (ffmpeg logs that at debug level).
    assert.match(receiver.log(), /Received BYE for stream 0 \(1\/1\)/);
    const video = (await probe(file)).streams.find((stream) => stream.codecType === 'video');
    assert.equal(video?.codecName, 'vp8');
    assert.ok((video?.packets ?? 0) > 10, `frames written: ${video?.packets}`);
  });
});
