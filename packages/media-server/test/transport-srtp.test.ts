import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { closeSync, openSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ProtectionProfileAeadAes128Gcm, RtpPacket, SrtpSession } from 'werift';
import { ntpTimestampOf } from '../src/transport/DirectRtpSender.js';
import { NativeSrtpStream } from '../src/transport/srtp/NativeSrtpStream.js';
import {
  loadNativeSrtp,
  type NativeSrtpBinding,
  udpDescriptor,
} from '../src/transport/srtp/nativeSrtpBinding.js';
import { RolloverCounter } from '../src/transport/srtp/RolloverCounter.js';
import {
  type OutgoingHeaderExtensions,
  RtpHeaderWriter,
} from '../src/transport/srtp/RtpHeaderWriter.js';
import { SrtpAesGcmEncryptor } from '../src/transport/srtp/SrtpAesGcmEncryptor.js';
import { emptyOutgoingRtp, type OutgoingRtp } from '../src/transport/srtp/SrtpStreamEncoder.js';
import { SrtpWorkerPool } from '../src/transport/srtp/SrtpWorkerPool.js';
import { srtpSessionOf } from '../src/transport/weriftInternals.js';

const SSRC = 0x1234abcd;
const MID_ID = 1;
const ABS_SEND_TIME_ID = 3;

/** A sending and a receiving werift SRTP session sharing one pair of master keys (as DTLS would). */
function sessionPair(): { sending: SrtpSession; receiving: SrtpSession } {
  const key = randomBytes(16);
  const salt = randomBytes(12);
  const other = { key: randomBytes(16), salt: randomBytes(12) };
  const keys = (local: { key: Buffer; salt: Buffer }, remote: { key: Buffer; salt: Buffer }) => ({
    localMasterKey: local.key,
    localMasterSalt: local.salt,
    remoteMasterKey: remote.key,
    remoteMasterSalt: remote.salt,
  });
  const profile = ProtectionProfileAeadAes128Gcm;
  return {
    sending: new SrtpSession({ keys: keys({ key, salt }, other), profile }),
    receiving: new SrtpSession({ keys: keys(other, { key, salt }), profile }),
  };
}

/** The session key and salt werift derived for `session` (what DirectRtpSender reads). */
function sessionKeysOf(session: SrtpSession): { srtpSessionKey: Buffer; srtpSessionSalt: Buffer } {
  const internals = srtpSessionOf({ srtp: session } as never);
  assert.ok(internals);
  return internals.localContext.cipher;
}

/** Our encryptor with the session keys werift derived for `session`. */
function encryptorOf(session: SrtpSession): SrtpAesGcmEncryptor {
  const { srtpSessionKey, srtpSessionSalt } = sessionKeysOf(session);
  return new SrtpAesGcmEncryptor(srtpSessionKey, srtpSessionSalt, SSRC);
}

/** A native stream of SSRC and the werift session that decrypts it. */
function nativeStreamOf(
  binding: NativeSrtpBinding,
  extensions: OutgoingHeaderExtensions,
): { stream: NativeSrtpStream; receiving: SrtpSession } {
  const { sending, receiving } = sessionPair();
  const { srtpSessionKey, srtpSessionSalt } = sessionKeysOf(sending);
  const parameters = { sessionKey: srtpSessionKey, sessionSalt: srtpSessionSalt, ssrc: SSRC };
  return { stream: new NativeSrtpStream(binding, { ...parameters, extensions }), receiving };
}

/** `count` streams of a send worker pool, each with the werift session that decrypts it. */
function openPooledStreams(pool: SrtpWorkerPool, count: number) {
  return Array.from({ length: count }, (_, index) => {
    const { sending, receiving } = sessionPair();
    const { srtpSessionKey, srtpSessionSalt } = sessionKeysOf(sending);
    const ssrc = SSRC + index;
    const pooled = pool.openStream({
      sessionKey: srtpSessionKey,
      sessionSalt: srtpSessionSalt,
      ssrc,
      extensions: { mid: { id: MID_ID, value: String(index) } },
    });
    return { pooled, receiving, ssrc, received: [] as number[] };
  });
}

describe('direct SRTP send path', () => {
  test('packets encrypted by the direct path decrypt and authenticate in werift, across a sequence wrap', () => {
    const { sending, receiving } = sessionPair();
    const encryptor = encryptorOf(sending);
    const rollover = new RolloverCounter();
    const headers = new RtpHeaderWriter(SSRC, {
      mid: { id: MID_ID, value: '1' },
      absSendTimeId: ABS_SEND_TIME_ID,
    });
    // 65533 … 65535, 0 … 2, then a retransmission of 65535 (sent before the wrap).
    const sequence = [65533, 65534, 65535, 0, 1, 2, 65535];
    for (const [index, sequenceNumber] of sequence.entries()) {
      const payload = randomBytes(900 + index);
      const header = headers.write(96, sequenceNumber, 3000 * index, index === 2, 1000 + index);
      const [ciphertext, tag] = encryptor.encrypt(
        header,
        payload,
        rollover.next(sequenceNumber),
        sequenceNumber,
      );
      const datagram = Buffer.concat([header, ciphertext, tag]);
      const packet = RtpPacket.deSerialize(receiving.decrypt(datagram));
      assert.deepEqual(packet.payload, payload, `payload of ${sequenceNumber}`);
      assert.equal(packet.header.sequenceNumber, sequenceNumber);
      assert.equal(packet.header.timestamp, 3000 * index);
      assert.equal(packet.header.ssrc, SSRC);
      assert.equal(packet.header.payloadType, 96);
      assert.equal(packet.header.marker, index === 2);
    }
  });

  test('worker threads encrypt batches of many streams; each stream decrypts in order in werift', async () => {
    const pool = new SrtpWorkerPool(2);
    try {
      const streams = openPooledStreams(pool, 5);
      // Three source packets, each fanned out to every stream in one turn (one batch per worker).
      const payloads = [randomBytes(1100), randomBytes(1200), randomBytes(300)];
      const rollover = new RolloverCounter();
      const decrypted = new Promise<void>((resolve, reject) => {
        let left = payloads.length * streams.length;
        for (const [number, payload] of payloads.entries()) {
          const sequenceNumber = 65535 + number;
          const packet = {
            payloadType: 96,
            sequenceNumber: sequenceNumber & 0xffff,
            timestamp: 1000 * number,
            marker: false,
            sentAtMs: 0,
            rolloverCounter: rollover.next(sequenceNumber & 0xffff),
          };
          for (const stream of streams) {
            stream.pooled.encode(packet, payload, (datagram) => {
              try {
                const rtp = RtpPacket.deSerialize(stream.receiving.decrypt(datagram));
                assert.equal(rtp.header.ssrc, stream.ssrc);
                assert.deepEqual(rtp.payload, payload);
                stream.received.push(rtp.header.sequenceNumber);
                if (--left === 0) resolve();
              } catch (error) {
                reject(error);
              }
            });
          }
        }
      });
      await decrypted;
      for (const stream of streams) assert.deepEqual(stream.received, [65535, 0, 1]);
    } finally {
      await pool.close();
    }
  });

  test('a tampered packet fails authentication', () => {
    const { sending, receiving } = sessionPair();
    const header = new RtpHeaderWriter(SSRC).write(111, 10, 960, false, 0);
    const [ciphertext, tag] = encryptorOf(sending).encrypt(header, randomBytes(100), 0, 10);
    const datagram = Buffer.concat([header, ciphertext, tag]);
    datagram[20] = (datagram[20] ?? 0) ^ 1;
    assert.throws(() => receiving.decrypt(datagram), /authenticate/i);
  });

  test('the header carries the negotiated MID and abs-send-time extensions', () => {
    const header = new RtpHeaderWriter(SSRC, {
      mid: { id: MID_ID, value: 'video0' },
      absSendTimeId: ABS_SEND_TIME_ID,
    }).write(96, 7, 90000, true, 1500);
    const parsed = RtpPacket.deSerialize(Buffer.concat([header, Buffer.from([1, 2, 3])]));
    assert.equal(parsed.header.extension, true);
    const extensions = new Map(parsed.header.extensions.map((ext) => [ext.id, ext.payload]));
    assert.equal(extensions.get(MID_ID)?.toString(), 'video0');
    // 1.5 s in 6.18 fixed point.
    assert.equal(extensions.get(ABS_SEND_TIME_ID)?.readUIntBE(0, 3), 1.5 * 2 ** 18);
    assert.deepEqual(parsed.payload, Buffer.from([1, 2, 3]));
  });

  test('the rollover counter counts wraps and gives a late retransmission its old counter', () => {
    const rollover = new RolloverCounter();
    const counters = [65534, 65535, 0, 65535, 1, 32000, 60000, 0].map((sequenceNumber) =>
      rollover.next(sequenceNumber),
    );
    assert.deepEqual(counters, [0, 0, 1, 0, 1, 1, 1, 2]);
  });

  test('NTP timestamps count from 1900 with a binary fraction', () => {
    const ntp = ntpTimestampOf(Date.UTC(2000, 0, 1) + 250);
    assert.equal(ntp >> 32n, 3_155_673_600n);
    assert.equal(ntp & 0xffffffffn, 2n ** 30n);
  });
});

async function boundSocket(type: 'udp4' | 'udp6', address: string): Promise<Socket> {
  const socket = createSocket(type);
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  return socket;
}

/**
 * The addon is built by `npm install` (the package's install script). Where a machine has no C
 * compiler, MEDLEY_NATIVE_SRTP=optional lets these tests pass without it; nowhere else, so that a
 * broken build cannot silently put every server on the slower JavaScript path.
 */
function nativeBinding() {
  const loaded = loadNativeSrtp();
  if ('error' in loaded && process.env.MEDLEY_NATIVE_SRTP !== 'optional') throw loaded.error;
  return 'binding' in loaded ? loaded.binding : undefined;
}

describe('native SRTP sender', () => {
  test('datagrams it sends on a real socket decrypt and authenticate in werift, across a sequence wrap', async (t) => {
    const binding = nativeBinding();
    if (!binding) return t.skip('native SRTP optional here and not built');
    const { stream, receiving } = nativeStreamOf(binding, {
      mid: { id: MID_ID, value: '1' },
      absSendTimeId: ABS_SEND_TIME_ID,
    });
    const sender = await boundSocket('udp4', '127.0.0.1');
    const receiver = await boundSocket('udp4', '127.0.0.1');
    const arrived: Buffer[] = [];
    receiver.on('message', (datagram) => arrived.push(datagram));
    try {
      const rollover = new RolloverCounter();
      const sequence = [65534, 65535, 0, 1, 65535];
      const payloads = sequence.map((_, index) => randomBytes(1100 + index));
      const packet = emptyOutgoingRtp();
      for (const [index, sequenceNumber] of sequence.entries()) {
        Object.assign(packet, {
          payloadType: 96,
          sequenceNumber,
          timestamp: 3000 * index,
          marker: index === 1,
          sentAtMs: 1000 + index,
          rolloverCounter: rollover.next(sequenceNumber),
        });
        const payload = payloads[index] as Buffer;
        const sent = sendTo(stream, sender, receiver.address().port, packet, payload);
        assert.equal(sent, payload.length + 12 + 12 + 16, 'header, payload and tag were sent');
      }
      await until(() => arrived.length === sequence.length);
      for (const [index, datagram] of arrived.entries()) {
        const decrypted = RtpPacket.deSerialize(receiving.decrypt(datagram));
        assert.deepEqual(decrypted.payload, payloads[index]);
        assert.equal(decrypted.header.sequenceNumber, sequence[index]);
        assert.equal(decrypted.header.timestamp, 3000 * index);
        assert.equal(decrypted.header.marker, index === 1);
        assert.equal(decrypted.header.ssrc, SSRC);
      }
      const tampered = Buffer.from(arrived[0] as Buffer);
      const inPayload = tampered.length - 20;
      tampered.writeUInt8(tampered.readUInt8(inPayload) ^ 1, inPayload);
      assert.throws(() => receiving.decrypt(tampered));
    } finally {
      sender.close();
      receiver.close();
    }
  });

  test('reaches an IPv4 peer from a dual-stack IPv6 socket', async (t) => {
    const binding = nativeBinding();
    if (!binding) return t.skip('native SRTP optional here and not built');
    const { stream } = nativeStreamOf(binding, {});
    const sender = await boundSocket('udp6', '::');
    const receiver = await boundSocket('udp4', '127.0.0.1');
    const arrived = new Promise<Buffer>((resolve) => receiver.once('message', resolve));
    try {
      const packet = { ...emptyOutgoingRtp(), payloadType: 111, sequenceNumber: 7 };
      const sent = sendTo(stream, sender, receiver.address().port, packet, Buffer.alloc(100));
      assert.equal(sent, 100 + 12 + 16);
      assert.equal((await arrived).length, 128);
    } finally {
      sender.close();
      receiver.close();
    }
  });

  test('native send workers encrypt and send batches of many streams on their own duplicates of the socket; each stream decrypts in order', async (t) => {
    const binding = nativeBinding();
    if (!binding) return t.skip('native SRTP optional here and not built');
    const pool = new SrtpWorkerPool(2, binding);
    const sender = await boundSocket('udp4', '127.0.0.1');
    const receiver = await boundSocket('udp4', '127.0.0.1');
    try {
      const streams = openPooledStreams(pool, 5);
      const fd = udpDescriptor(sender);
      assert.ok(fd !== undefined);
      for (const { pooled } of streams) {
        assert.equal(pooled.sendsItself, true);
        pooled.setDestination({
          fd,
          address: '127.0.0.1',
          port: receiver.address().port,
          ipv6Socket: false,
        });
      }
      // The workers hold duplicates: the main thread's socket may close at once.
      await new Promise<void>((resolve) => sender.close(resolve));
      const payloads = [randomBytes(1100), randomBytes(1200), randomBytes(300)];
      const bySsrc = new Map(streams.map((stream) => [stream.ssrc, stream]));
      let left = payloads.length * streams.length;
      const decrypted = new Promise<void>((resolve, reject) => {
        receiver.on('message', (datagram) => {
          try {
            const stream = bySsrc.get(datagram.readUInt32BE(8));
            assert.ok(stream, 'a datagram of a known stream');
            const rtp = RtpPacket.deSerialize(stream.receiving.decrypt(datagram));
            stream.received.push(rtp.header.sequenceNumber);
            assert.deepEqual(rtp.payload, payloads[stream.received.length - 1]);
            if (--left === 0) resolve();
          } catch (error) {
            reject(error);
          }
        });
      });
      const rollover = new RolloverCounter();
      for (const [number, payload] of payloads.entries()) {
        const sequenceNumber = (65535 + number) & 0xffff;
        const packet = {
          payloadType: 96,
          sequenceNumber,
          timestamp: 1000 * number,
          marker: false,
          sentAtMs: 0,
          rolloverCounter: rollover.next(sequenceNumber),
        };
        for (const stream of streams) stream.pooled.encode(packet, payload);
        // One batch per source packet and worker, as one turn of the event loop makes.
        await new Promise((resolve) => setImmediate(resolve));
      }
      await decrypted;
      for (const stream of streams) assert.deepEqual(stream.received, [65535, 0, 1]);
    } finally {
      receiver.close();
      await pool.close();
    }
  });

  test('refuses bad arguments with a typed error instead of crashing', (t) => {
    const binding = nativeBinding();
    if (!binding) return t.skip('native SRTP optional here and not built');
    assert.throws(() => binding.createSender(Buffer.alloc(15), Buffer.alloc(12), 1), {
      code: 'ERR_MEDLEY_SRTP_ARGUMENT',
    });
    const handle = binding.createSender(Buffer.alloc(16), Buffer.alloc(12), 1);
    assert.throws(() => binding.send(handle, Buffer.alloc(12), Buffer.alloc(10), 0, 0), {
      code: 'ERR_MEDLEY_SRTP_ARGUMENT',
      message: /setDestination/,
    });
    assert.throws(() => binding.setDestination(handle, 3, 'not an address', 9, false), {
      code: 'ERR_MEDLEY_SRTP_ARGUMENT',
    });
    assert.throws(() => binding.send({} as never, Buffer.alloc(12), Buffer.alloc(10), 0, 0), {
      code: 'ERR_MEDLEY_SRTP_ARGUMENT',
    });
  });

  test('holds its own duplicate of the socket until closed: a socket closed meanwhile cannot hand its number to another file', async (t) => {
    const binding = nativeBinding();
    if (!binding) return t.skip('native SRTP optional here and not built');
    const { stream } = nativeStreamOf(binding, {});
    const sender = await boundSocket('udp4', '127.0.0.1');
    const port = sender.address().port;
    const receiver = await boundSocket('udp4', '127.0.0.1');
    let arrived = 0;
    receiver.on('message', () => arrived++);
    try {
      const packet = { ...emptyOutgoingRtp(), payloadType: 111 };
      sendTo(stream, sender, receiver.address().port, packet, Buffer.alloc(50));
      await new Promise<void>((resolve) => sender.close(resolve));
      // The dgram socket is gone; the sender's duplicate still sends from the same port.
      const again = sendTo(stream, sender, receiver.address().port, packet, Buffer.alloc(50));
      assert.equal(again, 50 + 12 + 16);
      await until(() => arrived === 2);
      stream.close();
      assert.throws(
        () => sendTo(stream, sender, receiver.address().port, packet, Buffer.alloc(50)),
        {
          code: 'ERR_MEDLEY_SRTP_ARGUMENT',
        },
      );
      // Closed, the port is free again.
      const rebound = await boundSocketOn(port);
      rebound.close();
    } finally {
      receiver.close();
    }
  });

  test('refuses a descriptor that is not a UDP socket', async (t) => {
    const binding = nativeBinding();
    if (!binding) return t.skip('native SRTP optional here and not built');
    const handle = binding.createSender(Buffer.alloc(16), Buffer.alloc(12), 1);
    const file = openSync(process.execPath, 'r');
    try {
      assert.throws(() => binding.setDestination(handle, file, '127.0.0.1', 9, false), {
        code: 'ERR_MEDLEY_SRTP_ARGUMENT',
        message: /not a UDP socket/,
      });
      assert.throws(() => binding.setDestination(handle, 99999, '127.0.0.1', 9, false), {
        code: 'ERR_MEDLEY_SRTP_ARGUMENT',
        message: /not open/,
      });
    } finally {
      closeSync(file);
    }
  });

  test('reads the descriptor of a bound dgram socket', async () => {
    const socket = await boundSocket('udp4', '127.0.0.1');
    try {
      const fd = udpDescriptor(socket);
      assert.ok(typeof fd === 'number' && fd > 2, `descriptor ${fd}`);
    } finally {
      socket.close();
    }
  });
});

/** Aims `stream` at 127.0.0.1:`port` from `socket` (as DirectRtpSender does) and sends one packet. */
function sendTo(
  stream: NativeSrtpStream,
  socket: Socket,
  port: number,
  packet: OutgoingRtp,
  payload: Buffer,
): number {
  const fd = udpDescriptor(socket);
  if (fd !== undefined) {
    const ipv6Socket = socket.address().family === 'IPv6';
    stream.setDestination({ fd, address: '127.0.0.1', port, ipv6Socket });
  }
  return stream.send(packet, payload);
}

function boundSocketOn(port: number): Promise<Socket> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
