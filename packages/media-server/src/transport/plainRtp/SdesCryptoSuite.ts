import { randomBytes } from 'node:crypto';

/** Kurento's CryptoSuite names (its `SDES.crypto`). */
export type KurentoCryptoSuite =
  | 'AES_128_CM_HMAC_SHA1_32'
  | 'AES_128_CM_HMAC_SHA1_80'
  | 'AES_256_CM_HMAC_SHA1_32'
  | 'AES_256_CM_HMAC_SHA1_80';

/** Kurento's suites, for its CryptoSuite enumeration and error messages. */
export const KURENTO_CRYPTO_SUITES: readonly KurentoCryptoSuite[] = [
  'AES_128_CM_HMAC_SHA1_32',
  'AES_128_CM_HMAC_SHA1_80',
  'AES_256_CM_HMAC_SHA1_32',
  'AES_256_CM_HMAC_SHA1_80',
];

/** One SRTP crypto suite of SDES (RFC 4568 §6.2, RFC 6188): its names and sizes. */
export interface SdesCryptoSuite {
  /** Kurento's name. */
  readonly kurentoName: KurentoCryptoSuite;
  /** The name in an SDP `a=crypto` line. */
  readonly sdpName: string;
  /** AES master key bytes (16 or 32). */
  readonly keyLength: number;
  /** Master salt bytes (always 14). */
  readonly saltLength: number;
  /** Bytes of the HMAC-SHA1 tag on SRTP packets (10 or 4); SRTCP always carries 10. */
  readonly rtpTagLength: number;
}

const SALT_LENGTH = 14;

const SUITES: readonly SdesCryptoSuite[] = [
  suite('AES_128_CM_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_80', 16, 10),
  suite('AES_128_CM_HMAC_SHA1_32', 'AES_CM_128_HMAC_SHA1_32', 16, 4),
  suite('AES_256_CM_HMAC_SHA1_80', 'AES_256_CM_HMAC_SHA1_80', 32, 10),
  suite('AES_256_CM_HMAC_SHA1_32', 'AES_256_CM_HMAC_SHA1_32', 32, 4),
];

function suite(
  kurentoName: KurentoCryptoSuite,
  sdpName: string,
  keyLength: number,
  rtpTagLength: number,
): SdesCryptoSuite {
  return { kurentoName, sdpName, keyLength, saltLength: SALT_LENGTH, rtpTagLength };
}

/** The suite with this Kurento name. */
export function suiteByKurentoName(name: KurentoCryptoSuite): SdesCryptoSuite {
  return SUITES.find((entry) => entry.kurentoName === name) as SdesCryptoSuite;
}

/** The suite an `a=crypto` line names (case-insensitive), or undefined for one not supported. */
export function suiteBySdpName(name: string): SdesCryptoSuite | undefined {
  const upper = name.toUpperCase();
  return SUITES.find((entry) => entry.sdpName === upper);
}

/** The SDP names of the supported suites, for error messages. */
export function supportedSdpSuiteNames(): string {
  return SUITES.map((entry) => entry.sdpName).join(', ');
}

/** An SRTP master key and salt with the suite they are for. */
export interface SrtpKeyMaterial {
  readonly suite: SdesCryptoSuite;
  /** The master key followed by the master salt, as `inline:` carries them. */
  readonly keyAndSalt: Buffer;
}

/** Fresh random key material for `suite`. */
export function randomKeyMaterial(suite: SdesCryptoSuite): SrtpKeyMaterial {
  return { suite, keyAndSalt: randomBytes(suite.keyLength + suite.saltLength) };
}

/** Thrown for key material of the wrong size or a malformed `a=crypto` line. */
export class SdesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SdesError';
  }
}

/** Checks that `keyAndSalt` has the size `suite` needs (30 bytes for AES-128, 46 for AES-256). */
export function keyMaterial(suite: SdesCryptoSuite, keyAndSalt: Buffer): SrtpKeyMaterial {
  const expected = suite.keyLength + suite.saltLength;
  if (keyAndSalt.length !== expected) {
    throw new SdesError(
      `${suite.sdpName} needs ${expected} bytes of master key and salt (${suite.keyLength} + ${suite.saltLength}), got ${keyAndSalt.length}`,
    );
  }
  return { suite, keyAndSalt };
}

/** One `a=crypto` attribute (RFC 4568 §9.1), reduced to what SRTP needs. */
export interface CryptoAttribute {
  readonly tag: number;
  readonly material: SrtpKeyMaterial;
}

/** The value of `a=crypto:` for this key material: `<tag> <suite> inline:<base64>`. */
export function formatCryptoAttribute(tag: number, material: SrtpKeyMaterial): string {
  return `${tag} ${material.suite.sdpName} inline:${material.keyAndSalt.toString('base64')}`;
}

/**
 * Parses the value of an `a=crypto` attribute (without `a=crypto:`). Returns undefined for a
 * suite that is not supported (an offer may list several); throws SdesError for a line that is
 * malformed or whose key has the wrong size. Lifetime and MKI parts are accepted and ignored.
 */
export function parseCryptoAttribute(value: string): CryptoAttribute | undefined {
  const [tagText, suiteName, keyParams] = value.trim().split(/\s+/);
  const tag = Number(tagText);
  if (!Number.isInteger(tag) || !suiteName || !keyParams) {
    throw new SdesError(
      `Malformed a=crypto line '${value}': expected '<tag> <suite> inline:<key>'`,
    );
  }
  const suite = suiteBySdpName(suiteName);
  if (!suite) return undefined;
  const inline = keyParams.split(';')[0] ?? '';
  if (!inline.startsWith('inline:')) {
    throw new SdesError(`a=crypto key '${keyParams}' is not 'inline:<base64>'`);
  }
  const base64 = inline.slice('inline:'.length).split('|')[0] ?? '';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    throw new SdesError(`a=crypto key '${base64}' is not base64`);
  }
  return { tag, material: keyMaterial(suite, Buffer.from(base64, 'base64')) };
}
