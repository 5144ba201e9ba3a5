import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { browserSuite } from './support/browserSuite.js';
import {
  cryptoKey,
  freeRtpPort,
  isUdpPortBound,
  mediaPort,
  peerSdp,
  runFfmpeg,
} from './support/ffmpegRtp.js';
import { probe } from './support/mediaFiles.js';
import { eventually } from './support/server.js';
import { BrowserPeer, type PeerOptions } from './transport-harness.js';

/**
 * RtpEndpoint against real ffmpeg on the other side (plain RTP and SDES-SRTP), with real
 * Chromium behind a WebRtcEndpoint: what ffmpeg sends, Chromium decodes; what Chromium's camera
 * sends, ffmpeg writes to a file ffprobe reads.
 */
describe('RtpEndpoint with ffmpeg', () => {
  const suite = browserSuite();
  const SRTP_KEY = randomBytes(30).toString('base64');

  async function newPipeline(context: TestContext): Promise<string> {
    const pipeline = await suite.client.create('MediaPipeline');
    context.after(() => suite.client.call('release', { object: pipeline }).catch(() => undefined));
    return pipeline;
  }

  async function browserOn(
    context: TestContext,
    pipeline: string,
    id: string,
    options: PeerOptions,
  ) {
    const endpoint = await suite.client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    const peer = await BrowserPeer.create(suite.page, id, options);
    context.after(() => peer.close());
    await peer.connectToEndpoint(suite.client, endpoint);
    return { endpoint, peer };
  }

  async function workDir(context: TestContext): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'medley-rtp-'));
    context.after(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  /** ffmpeg sends test video to the port of the RtpEndpoint's answer; a browser decodes it. */
  async function ingest(
    context: TestContext,
    options: {
      readonly id: string;
      readonly rtpmap: string;
      readonly fmtp?: string;
      readonly encoder: readonly string[];
      readonly viewerCodecs: readonly string[];
      readonly srtp?: boolean;
    },
  ) {
    const pipeline = await newPipeline(context);
    const viewer = await browserOn(context, pipeline, options.id, {
      send: false,
      audio: false,
      videoCodecs: options.viewerCodecs,
    });
    const rtpEndpoint = await suite.client.create('RtpEndpoint', {
      mediaPipeline: pipeline,
      ...(options.srtp
        ? {
            crypto: { __type__: 'SDES', __module__: 'elements', crypto: 'AES_128_CM_HMAC_SHA1_80' },
          }
        : {}),
    });
    await suite.client.invoke(rtpEndpoint, 'connect', { sink: viewer.endpoint });
    const senderPort = await freeRtpPort();
    const offer = peerSdp({
      kind: 'video',
      port: senderPort,
      payloadType: 96,
      rtpmap: options.rtpmap,
      ...(options.fmtp ? { fmtp: options.fmtp } : {}),
      direction: 'sendonly',
      ...(options.srtp ? { crypto: `AES_CM_128_HMAC_SHA1_80 inline:${SRTP_KEY}` } : {}),
    });
    const answer = (await suite.client.invoke(rtpEndpoint, 'processOffer', { offer })) as string;
    assert.match(answer, /^c=IN IP4 127\.0\.0\.1$/m);
    assert.match(answer, /^a=recvonly$/m);
    const port = mediaPort(answer, 'video');
    const target = options.srtp
      ? `srtp://127.0.0.1:${port}?localrtpport=${senderPort}&localrtcpport=${senderPort + 1}`
      : `rtp://127.0.0.1:${port}?localrtpport=${senderPort}&localrtcpport=${senderPort + 1}`;
    const ffmpeg = runFfmpeg([
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x240:rate=30',
      '-an',
      ...options.encoder,
      '-g',
      '30',
      '-payload_type',
      '96',
      ...(options.srtp
        ? ['-srtp_out_suite', 'AES_CM_128_HMAC_SHA1_80', '-srtp_out_params', SRTP_KEY]
        : []),
      '-f',
      'rtp',
      target,
    ]);
    context.after(() => ffmpeg.stop());
    const stats = await viewer.peer.waitForStats((seen) => seen.framesDecoded > 15, 30_000);
    const later = await viewer.peer.waitForStats(
      (seen) => seen.framesDecoded > stats.framesDecoded + 10,
      30_000,
    );
    return { rtpEndpoint, stats: later, answer, ffmpeg };
  }

  test('VP8 from ffmpeg reaches Chromium as sent', async (context) => {
    const { rtpEndpoint, stats } = await ingest(context, {
      id: 'vp8-viewer',
      rtpmap: 'VP8/90000',
      encoder: ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '600k'],
      viewerCodecs: ['video/VP8'],
    });
    assert.equal(stats.videoCodec, 'video/VP8');
    assert.equal(stats.frameWidth, 320);
    assert.equal(
      await suite.client.invoke(rtpEndpoint, 'isMediaTranscoding', { mediaType: 'VIDEO' }),
      false,
    );
    assert.equal(await suite.client.invoke(rtpEndpoint, 'getMediaState'), 'CONNECTED');
  });

  test('H.264 (High profile) from ffmpeg is transcoded for a VP8-only Chromium', async (context) => {
    const { rtpEndpoint, stats } = await ingest(context, {
      id: 'h264-to-vp8-viewer',
      rtpmap: 'H264/90000',
      fmtp: 'packetization-mode=1;profile-level-id=64001e',
      encoder: [
        '-c:v',
        'libx264',
        '-profile:v',
        'high',
        '-preset',
        'ultrafast',
        '-tune',
        'zerolatency',
        '-pix_fmt',
        'yuv420p',
      ],
      viewerCodecs: ['video/VP8'],
    });
    assert.equal(stats.videoCodec, 'video/VP8');
    assert.equal(
      await suite.client.invoke(rtpEndpoint, 'isMediaTranscoding', { mediaType: 'VIDEO' }),
      true,
    );
  });

  test('SDES-SRTP from ffmpeg (AES_CM_128_HMAC_SHA1_80) is decrypted and decoded', async (context) => {
    const { answer, stats } = await ingest(context, {
      id: 'srtp-viewer',
      rtpmap: 'VP8/90000',
      encoder: ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '600k'],
      viewerCodecs: ['video/VP8'],
      srtp: true,
    });
    assert.match(answer, /^m=video \d+ RTP\/SAVP 96$/m);
    assert.match(answer, /^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:/m);
    assert.notEqual(cryptoKey(answer), SRTP_KEY, 'the endpoint sends with its own key');
    assert.equal(stats.videoCodec, 'video/VP8');
  });

  /** Chromium's camera goes out through an RtpEndpoint to ffmpeg, which writes `file`. */
  async function egress(
    context: TestContext,
    srtp: 'AES_128_CM_HMAC_SHA1_80' | 'AES_128_CM_HMAC_SHA1_32' | undefined,
  ) {
    const pipeline = await newPipeline(context);
    const publisher = await browserOn(context, pipeline, `camera-${srtp ?? 'plain'}`, {
      receive: false,
      audio: false,
      videoCodecs: ['video/VP8'],
    });
    const rtpEndpoint = await suite.client.create('RtpEndpoint', {
      mediaPipeline: pipeline,
      ...(srtp ? { crypto: { __type__: 'SDES', __module__: 'elements', crypto: srtp } } : {}),
    });
    const sdpSuite = srtp?.replace('AES_128_CM', 'AES_CM_128');
    const receiverPort = await freeRtpPort();
    const offer = peerSdp({
      kind: 'video',
      port: receiverPort,
      payloadType: 97,
      rtpmap: 'VP8/90000',
      direction: 'recvonly',
      ...(sdpSuite ? { crypto: `${sdpSuite} inline:${SRTP_KEY}` } : {}),
    });
    const answer = (await suite.client.invoke(rtpEndpoint, 'processOffer', { offer })) as string;
    assert.match(answer, /^a=sendonly$/m);
    // ffmpeg reads the session it receives: our port, and for SRTP the endpoint's key.
    const dir = await workDir(context);
    const sdpFile = join(dir, 'receive.sdp');
    const received = srtp ? offer.replace(SRTP_KEY, cryptoKey(answer)) : offer;
    await writeFile(sdpFile, received);
    const file = join(dir, 'camera.webm');
    const ffmpeg = runFfmpeg([
      '-protocol_whitelist',
      'file,udp,rtp',
      '-i',
      sdpFile,
      '-t',
      '2',
      '-c',
      'copy',
      file,
    ]);
    context.after(() => ffmpeg.stop());
    await eventually(
      async () => ((await isUdpPortBound(receiverPort)) ? true : undefined),
      'ffmpeg listens on its RTP port',
    );
    await suite.client.invoke(publisher.endpoint, 'connect', { sink: rtpEndpoint });
    const code = await ffmpeg.exited;
    assert.equal(code, 0, `ffmpeg failed: ${ffmpeg.log()}`);
    const probed = await probe(file);
    const video = probed.streams.find((stream) => stream.codecType === 'video');
    assert.equal(video?.codecName, 'vp8');
    assert.ok((video?.packets ?? 0) > 15, `frames written: ${video?.packets}`);
    const duration = probed.durationSeconds ?? video?.endSeconds ?? 0;
    // ffmpeg stops at 2 s of media timestamps; the camera sends continuously.
    assert.ok(duration > 1.3 && duration <= 2.2, `duration ${duration} s`);
    const stats = (await suite.client.invoke(rtpEndpoint, 'getStats', {
      mediaType: 'VIDEO',
    })) as Record<string, Record<string, unknown>>;
    const outbound = Object.values(stats).find((entry) => entry.type === 'outboundrtp');
    assert.ok(Number(outbound?.packetsSent) > 20);
  }

  test('a Chromium camera goes out to ffmpeg, which writes a VP8 file of the media sent', async (context) => {
    await egress(context, undefined);
  });

  test('SDES-SRTP to ffmpeg (AES_CM_128_HMAC_SHA1_80 and _32) is decrypted by ffmpeg', async (context) => {
    await egress(context, 'AES_128_CM_HMAC_SHA1_80');
    await egress(context, 'AES_128_CM_HMAC_SHA1_32');
  });

  test('PCMU from a SIP-like sender reaches Chromium as Opus', async (context) => {
    const pipeline = await newPipeline(context);
    const viewer = await browserOn(context, pipeline, 'opus-listener', {
      send: false,
      video: false,
      audioCodecs: ['audio/opus'],
    });
    const rtpEndpoint = await suite.client.create('RtpEndpoint', { mediaPipeline: pipeline });
    await suite.client.invoke(rtpEndpoint, 'connect', { sink: viewer.endpoint });
    const senderPort = await freeRtpPort();
    const offer = peerSdp({
      kind: 'audio',
      port: senderPort,
      payloadType: 0,
      rtpmap: 'PCMU/8000',
      direction: 'sendrecv',
    });
    const answer = (await suite.client.invoke(rtpEndpoint, 'processOffer', { offer })) as string;
    assert.match(answer, /^m=audio \d+ RTP\/AVP 0$/m);
    const port = mediaPort(answer, 'audio');
    const ffmpeg = runFfmpeg([
      '-re',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=8000',
      '-af',
      'volume=0.5',
      '-c:a',
      'pcm_mulaw',
      '-ar',
      '8000',
      '-ac',
      '1',
      // 20 ms packets, as SIP phones send (ffmpeg's default is 128 ms of audio per packet).
      '-packetsize',
      '172',
      '-f',
      'rtp',
      `rtp://127.0.0.1:${port}?localrtpport=${senderPort}&localrtcpport=${senderPort + 1}`,
    ]);
    context.after(() => ffmpeg.stop());
    const stats = await viewer.peer.waitForStats((seen) => seen.audioPacketsReceived > 50, 30_000);
    assert.equal(stats.audioCodec, 'audio/opus');
    // Judged by the spectrum, not the level: a transcoded G.711 tone on a busy machine arrives
    // with concealed gaps that lower its RMS, but 440 Hz stands far above the rest.
    await eventually(
      async () =>
        (await viewer.peer.toneLevel(440)) > (await viewer.peer.toneLevel(1500)) + 20
          ? true
          : undefined,
      'the browser hears the 440 Hz tone',
      20_000,
    );
  });

  test('bad SDP, an unknown crypto suite and a key of the wrong length get clear errors', async (context) => {
    const pipeline = await newPipeline(context);
    const plain = await suite.client.create('RtpEndpoint', { mediaPipeline: pipeline });
    const notSdp = await suite.client.failure('invoke', {
      object: plain,
      operation: 'processOffer',
      operationParams: { offer: 'hello' },
    });
    assert.equal(notSdp.code, 40201);
    assert.match(notSdp.message, /v=0/);
    const noCodec = await suite.client.failure('invoke', {
      object: plain,
      operation: 'processOffer',
      operationParams: {
        offer: peerSdp({
          kind: 'video',
          port: 5000,
          payloadType: 96,
          rtpmap: 'THEORA/90000',
          direction: 'sendonly',
        }),
      },
    });
    assert.equal(noCodec.code, 40205);
    assert.match(noCodec.message, /THEORA/);
    const secureOffer = (suite: string, key: string) =>
      peerSdp({
        kind: 'video',
        port: 5000,
        payloadType: 96,
        rtpmap: 'VP8/90000',
        direction: 'sendonly',
        crypto: `${suite} inline:${key}`,
      });
    const savpToPlain = await suite.client.failure('invoke', {
      object: plain,
      operation: 'processOffer',
      operationParams: { offer: secureOffer('AES_CM_128_HMAC_SHA1_80', SRTP_KEY) },
    });
    assert.equal(savpToPlain.code, 40205);
    assert.match(savpToPlain.message, /crypto/);
    const sdes = (fields: Record<string, unknown>) => ({
      __type__: 'SDES',
      __module__: 'elements',
      ...fields,
    });
    const secure = await suite.client.create('RtpEndpoint', {
      mediaPipeline: pipeline,
      crypto: sdes({ crypto: 'AES_128_CM_HMAC_SHA1_80' }),
    });
    const unknownSuite = await suite.client.failure('invoke', {
      object: secure,
      operation: 'processOffer',
      operationParams: { offer: secureOffer('F8_128_HMAC_SHA1_80', SRTP_KEY) },
    });
    assert.equal(unknownSuite.code, 40205);
    assert.match(unknownSuite.message, /F8_128_HMAC_SHA1_80/);
    assert.match(unknownSuite.message, /AES_CM_128_HMAC_SHA1_80/);
    const shortRemoteKey = await suite.client.failure('invoke', {
      object: secure,
      operation: 'processOffer',
      operationParams: {
        offer: secureOffer('AES_CM_128_HMAC_SHA1_80', randomBytes(16).toString('base64')),
      },
    });
    assert.equal(shortRemoteKey.code, 40205);
    assert.match(shortRemoteKey.message, /30 bytes/);
    const badSuite = await suite.client.failure('create', {
      type: 'RtpEndpoint',
      constructorParams: { mediaPipeline: pipeline, crypto: sdes({ crypto: 'AES_512' }) },
    });
    assert.match(badSuite.message, /AES_128_CM_HMAC_SHA1_80/);
    const shortKey = await suite.client.failure('create', {
      type: 'RtpEndpoint',
      constructorParams: {
        mediaPipeline: pipeline,
        crypto: sdes({ crypto: 'AES_256_CM_HMAC_SHA1_80', keyBase64: SRTP_KEY }),
      },
    });
    assert.match(shortKey.message, /46 bytes/);
  });
});
