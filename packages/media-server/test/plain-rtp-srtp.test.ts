import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  keyMaterial,
  parseCryptoAttribute,
  randomKeyMaterial,
  suiteByKurentoName,
} from '../src/transport/plainRtp/SdesCryptoSuite.js';
import { SrtpAesCmSession } from '../src/transport/plainRtp/SrtpAesCmSession.js';

/** The SDES-SRTP suites of RtpEndpoint, for the key sizes ffmpeg cannot check (AES-256). */
describe('SDES-SRTP (AES counter mode, HMAC-SHA1)', () => {
  const rtp = Buffer.from(`800f1234decafbadcafebabe${'ab'.repeat(16)}`, 'hex');

  test('AES_CM_128_HMAC_SHA1_80 matches the libsrtp reference packet', () => {
    const material = keyMaterial(
      suiteByKurentoName('AES_128_CM_HMAC_SHA1_80'),
      Buffer.from('e1f97a0d3e018be0d64fa32c06de41390ec675ad498afeebb6960b3aabe6', 'hex'),
    );
    const protectedPacket = new SrtpAesCmSession(material).protectRtp(rtp);
    assert.equal(
      protectedPacket.toString('hex'),
      '800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb',
    );
  });

  for (const name of ['AES_256_CM_HMAC_SHA1_80', 'AES_256_CM_HMAC_SHA1_32'] as const) {
    test(`${name}: what one side protects the other reads, and a changed bit is refused`, () => {
      const material = randomKeyMaterial(suiteByKurentoName(name));
      assert.equal(material.keyAndSalt.length, 46);
      const sender = new SrtpAesCmSession(material);
      const receiver = new SrtpAesCmSession(material);
      const wire = sender.protectRtp(rtp);
      assert.equal(wire.length, rtp.length + (name.endsWith('80') ? 10 : 4));
      assert.notDeepEqual(wire.subarray(12, 28), rtp.subarray(12));
      assert.deepEqual(receiver.unprotectRtp(wire), rtp);
      const tampered = Buffer.from(sender.protectRtp(rtp));
      tampered[20] = (tampered[20] as number) ^ 1;
      assert.equal(receiver.unprotectRtp(tampered), undefined);
      const rtcp = Buffer.from(`81c90007decafbad${'00'.repeat(24)}`, 'hex');
      assert.deepEqual(receiver.unprotectRtcp(sender.protectRtcp(rtcp)), rtcp);
      const other = new SrtpAesCmSession(randomKeyMaterial(suiteByKurentoName(name)));
      assert.equal(other.unprotectRtp(sender.protectRtp(rtp)), undefined);
    });
  }

  test('a sender restarted with the same SSRC and key is read again, wherever its sequence numbers start', () => {
    const material = randomKeyMaterial(suiteByKurentoName('AES_128_CM_HMAC_SHA1_80'));
    const packet = (sequence: number) => {
      const bytes = Buffer.from(rtp);
      bytes.writeUInt16BE(sequence, 2);
      return bytes;
    };
    const receiver = new SrtpAesCmSession(material);
    for (const [before, after] of [
      [1000, 50_000],
      [50_000, 100],
    ] as const) {
      // Each run of sequence numbers comes from a sender process of its own (rollover counter 0).
      const first = new SrtpAesCmSession(material);
      for (let sequence = before; sequence < before + 5; sequence++) {
        assert.deepEqual(
          receiver.unprotectRtp(first.protectRtp(packet(sequence))),
          packet(sequence),
        );
      }
      const restarted = new SrtpAesCmSession(material);
      for (let sequence = after; sequence < after + 5; sequence++) {
        assert.deepEqual(
          receiver.unprotectRtp(restarted.protectRtp(packet(sequence))),
          packet(sequence),
          `packet ${sequence} after the restart`,
        );
      }
    }
    const forged = new SrtpAesCmSession(randomKeyMaterial(material.suite));
    assert.equal(receiver.unprotectRtp(forged.protectRtp(packet(7))), undefined);
  });

  test('a=crypto lines: unknown suites are skipped, wrong key sizes are refused', () => {
    assert.equal(parseCryptoAttribute('1 F8_128_HMAC_SHA1_80 inline:AAAA'), undefined);
    const key = randomBytes(46).toString('base64');
    assert.equal(parseCryptoAttribute(`2 AES_256_CM_HMAC_SHA1_80 inline:${key}|2^31`)?.tag, 2);
    assert.throws(
      () => parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${key}`),
      /needs 30 bytes/,
    );
  });
});
