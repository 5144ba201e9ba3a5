import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSuite } from './support/browserSuite.js';
import { assertKmdShape } from './support/kurentoStatsShapes.js';
import { eventually } from './support/server.js';
import { BrowserPeer } from './transport-harness.js';

/**
 * A WebRtcEndpoint's getStats in Kurento's shape, with a real Chromium peer looping its camera,
 * microphone and a data channel through a PassThrough: every kmd stats type turns up with all
 * of its fields, and the values agree with what the browser itself measures.
 */

type Entry = Record<string, unknown>;
type Report = Record<string, Entry>;

/** The SSRCs and the certificate fingerprint the browser's own stats and SDP give. */
async function browserSide(page: Page, id: string) {
  return page.evaluate(async (peerId) => {
    const { pc } = (window as unknown as { peers: Record<string, { pc: RTCPeerConnection }> })
      .peers[peerId] as { pc: RTCPeerConnection };
    const ssrcs: Record<string, number> = {};
    for (const report of (await pc.getStats()).values()) {
      if (report.type === 'outbound-rtp' || report.type === 'inbound-rtp') {
        ssrcs[`${report.type}/${report.kind}`] = report.ssrc;
      }
    }
    const fingerprint = /a=fingerprint:sha-256 (\S+)/.exec(pc.localDescription?.sdp ?? '')?.[1];
    const streamId = /a=msid:(\S+) /.exec(pc.localDescription?.sdp ?? '')?.[1];
    return { ssrcs, fingerprint, streamId };
  }, id);
}

function entriesOf(report: Report, type: string): Entry[] {
  return Object.values(report).filter((entry) => entry.type === type);
}

function only(report: Report, type: string, kind?: string): Entry {
  const found = entriesOf(report, type).filter(
    (entry) => kind === undefined || entry.kind === kind,
  );
  assert.equal(found.length, 1, `one ${type} ${kind ?? ''} entry: ${JSON.stringify(found)}`);
  return found[0] as Entry;
}

describe('Kurento-shaped stats of a WebRtcEndpoint with Chromium', () => {
  const suite = browserSuite();

  test('every kmd stats type turns up with all of its fields, measured', {
    timeout: 120_000,
  }, async () => {
    const { client, page } = suite;
    const pipeline = await client.create('MediaPipeline', {});
    const endpoint = await client.create('WebRtcEndpoint', {
      mediaPipeline: pipeline,
      useDataChannels: true,
    });
    const passThrough = await client.create('PassThrough', { mediaPipeline: pipeline });
    await client.invoke(endpoint, 'connect', { sink: passThrough });
    await client.invoke(passThrough, 'connect', { sink: endpoint });
    // Turned on after the elements exist: the pipeline tells them.
    await client.invoke(pipeline, 'setLatencyStats', { latencyStats: true });
    const getStats = async (mediaType?: string) =>
      (await client.invoke(endpoint, 'getStats', mediaType ? { mediaType } : {})) as Report;

    const peer = await BrowserPeer.create(page, 'loop', { dataChannel: true });
    await peer.connectToEndpoint(client, endpoint);
    await peer.waitForStats((stats) => stats.framesDecoded > 30, 30_000);
    await page.evaluate(() => {
      const peers = (window as unknown as { peers: Record<string, { channel: RTCDataChannel }> })
        .peers;
      peers.loop?.channel.send('hello through the PassThrough');
    });

    const first = await getStats();
    // The peer's receiver reports bring the round trip; its REMB the estimate; the echo the message.
    const second = await eventually(
      async () => {
        const report = await getStats();
        const outbound = only(report, 'outboundrtp', 'video');
        const channel = only(report, 'datachannel');
        const ready =
          (outbound.roundTripTime as number) > 0 &&
          (outbound.remb as number) > 0 &&
          (channel.messagesReceived as number) > 0 &&
          (only(report, 'inboundrtp', 'video').packetsReceived as number) >
            (only(first, 'inboundrtp', 'video').packetsReceived as number);
        return ready ? report : undefined;
      },
      'a receiver report, a REMB and the echoed message',
      30_000,
    );

    // Shapes: every entry Kurento types is complete, and every stats type of the kmd is there.
    const typesSeen = new Set<string>();
    for (const entry of Object.values(second)) {
      if (entry.__type__ === undefined) {
        assert.ok(
          ['remoteinboundrtp', 'remoteoutboundrtp', 'mediasource'].includes(entry.type as string),
          `only W3C-only entries lack a kmd type: ${String(entry.type)}`,
        );
        continue;
      }
      assertKmdShape(entry);
      typesSeen.add(entry.__type__ as string);
    }
    const passThroughStats = (await client.invoke(passThrough, 'getStats', {})) as Report;
    const element = passThroughStats[passThrough] as Entry;
    assertKmdShape(element);
    typesSeen.add(element.__type__ as string);
    assert.deepEqual([...typesSeen].sort(), [
      'ElementStats',
      'EndpointStats',
      'RTCCertificateStats',
      'RTCCodec',
      'RTCDataChannelStats',
      'RTCIceCandidateAttributes',
      'RTCIceCandidatePairStats',
      'RTCInboundRTPStreamStats',
      'RTCMediaStreamStats',
      'RTCMediaStreamTrackStats',
      'RTCOutboundRTPStreamStats',
      'RTCPeerConnectionStats',
      'RTCTransportStats',
    ]);

    // Latency: measured per stream, in nanoseconds, from entering the pipeline at the endpoint.
    const own = second[endpoint] as Entry;
    assert.equal(own.type, 'endpoint');
    const e2e = own.E2ELatency as { name: string; type: string; avg: number }[];
    const input = own.inputLatency as { name: string; type: string; avg: number }[];
    assert.deepEqual(e2e.map((latency) => latency.name).sort(), [
      'sink_audio_default',
      'sink_video_default',
    ]);
    for (const latency of e2e) {
      assert.ok(latency.avg > 0 && latency.avg < 5e9, `E2E ${latency.name}: ${latency.avg} ns`);
      const arrival = input.find((candidate) => candidate.name === latency.name);
      assert.ok(arrival && arrival.avg >= 0 && arrival.avg <= latency.avg, 'input before output');
    }
    assert.equal(own.videoE2ELatency, e2e.find((latency) => latency.type === 'VIDEO')?.avg);
    assert.equal(own.audioE2ELatency, e2e.find((latency) => latency.type === 'AUDIO')?.avg);
    assert.equal(element.type, 'element');
    assert.equal((element.inputLatency as unknown[]).length, 2, 'the PassThrough measures too');

    // RTP: the SSRCs are the browser's, the counters grow, the peer's reports are folded in.
    const browser = await browserSide(page, 'loop');
    for (const kind of ['audio', 'video']) {
      const inbound = only(second, 'inboundrtp', kind);
      const outbound = only(second, 'outboundrtp', kind);
      assert.equal(inbound.ssrc, String(browser.ssrcs[`outbound-rtp/${kind}`]));
      assert.equal(outbound.ssrc, String(browser.ssrcs[`inbound-rtp/${kind}`]));
      assert.ok((inbound.fractionLost as number) >= 0 && (inbound.fractionLost as number) <= 255);
      assert.equal(inbound.mediaTrackId, `track_${inbound.id}`);
      assert.ok(second[inbound.codecId as string], 'codecId names a codec entry');
      assert.ok(second[outbound.transportId as string], 'transportId names the transport');
    }
    const inboundBefore = only(first, 'inboundrtp', 'video');
    const inbound = only(second, 'inboundrtp', 'video');
    assert.ok((inbound.bytesReceived as number) > (inboundBefore.bytesReceived as number));
    assert.ok((inbound.remb as number) >= 0);
    const outbound = only(second, 'outboundrtp', 'video');
    assert.ok(
      (outbound.packetsSent as number) >
        (only(first, 'outboundrtp', 'video').packetsSent as number),
    );
    // The bitrate since the previous call: the polls above may be a few ms apart, so two calls
    // with time for packets between them.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const later = only(await getStats(), 'outboundrtp', 'video');
    assert.ok(
      (later.targetBitrate as number) > 0 &&
        (later.bytesSent as number) > (outbound.bytesSent as number),
      'bytes went out between two calls 500 ms apart, and the bitrate says so',
    );
    assert.ok((outbound.roundTripTime as number) < 5, 'seconds, on loopback');
    assert.equal(outbound.associateStatsId, outbound.remoteId);

    // Tracks: frames counted both ways, the size read from key frames (Chromium may scale down).
    const remoteVideo = second[inbound.mediaTrackId as string] as Entry;
    const localVideo = second[outbound.mediaTrackId as string] as Entry;
    assert.equal(remoteVideo.remoteSource, true);
    assert.ok((remoteVideo.framesReceived as number) > 30);
    assert.ok((localVideo.framesSent as number) > 0);
    assert.equal(localVideo.remoteSource, false);
    for (const track of [remoteVideo, localVideo]) {
      const { frameWidth, frameHeight } = track as { frameWidth: number; frameHeight: number };
      assert.ok(frameWidth > 0 && frameWidth <= 320 && frameHeight > 0 && frameHeight <= 240);
      assert.ok((track.framesPerSecond as number) > 0);
    }
    const stream = only(second, 'stream');
    assert.equal(stream.streamIdentifier, browser.streamId, "the browser's MediaStream");
    assert.ok((stream.trackIds as string[]).includes(remoteVideo.id as string));

    // ICE and DTLS: the selected pair, its candidates, and certificates that hash to the SDP's.
    const transport = only(second, 'transport');
    assert.equal(transport.activeConnection, true);
    const pair = second[transport.selectedCandidatePairId as string] as Entry;
    assert.equal(pair.type, 'candidatepair');
    assert.equal(pair.state, 'succeeded');
    assert.equal(pair.nominated, true);
    assert.ok((pair.bytesReceived as number) > 0 && (pair.availableOutgoingBitrate as number) > 0);
    const local = second[pair.localCandidateId as string] as Entry;
    assert.equal(local.ipAddress, '127.0.0.1');
    assert.equal(local.candidateType, 'host');
    assert.ok((local.portNumber as number) > 0);
    for (const side of ['localCertificateId', 'remoteCertificateId']) {
      const certificate = second[transport[side] as string] as Entry;
      const der = Buffer.from(certificate.base64Certificate as string, 'base64');
      assert.equal(der[0], 0x30, `${side}: DER starts with a SEQUENCE`);
      const digest = createHash('sha256').update(der).digest('hex').toUpperCase();
      assert.equal(certificate.fingerprint, digest.match(/../g)?.join(':'));
    }
    const remoteCertificate = second[transport.remoteCertificateId as string] as Entry;
    assert.equal(remoteCertificate.fingerprint, browser.fingerprint);

    // Session and data channel: the browser's channel, echoed back through the PassThrough.
    const session = only(second, 'session');
    assert.ok((session.dataChannelsOpened as number) >= 1);
    const channel = only(second, 'datachannel');
    assert.equal(channel.label, 'chat');
    assert.equal(channel.state, 'open');
    assert.ok((channel.datachannelid as number) >= 0);
    assert.ok((channel.messagesSent as number) >= 1 && (channel.bytesSent as number) > 0);

    // One media type: the other's entries are left out, the shared ones stay.
    const audio = await getStats('AUDIO');
    assert.ok(Object.values(audio).every((entry) => entry.kind !== 'video'));
    assert.ok(entriesOf(audio, 'codec').every((codec) => String(codec.codec).startsWith('audio/')));
    assert.deepEqual(
      ((audio[endpoint] as Entry).E2ELatency as { type: string }[]).map((latency) => latency.type),
      ['AUDIO'],
    );
    assert.equal(entriesOf(audio, 'datachannel').length, 0);
    assert.equal(entriesOf(audio, 'transport').length, 1);

    // Off again: no latency reported.
    await client.invoke(pipeline, 'setLatencyStats', { latencyStats: false });
    const off = (await getStats('VIDEO'))[endpoint] as Entry;
    assert.deepEqual(off.E2ELatency, []);
    assert.equal(off.videoE2ELatency, 0);

    await peer.close();
    await client.call('release', { object: pipeline });
  });
});
