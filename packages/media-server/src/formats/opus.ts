/** Opus packet facts (RFC 6716 section 3.1) and its headers in Ogg/WebM (RFC 7845) and MP4. */

/** Opus always runs at 48 kHz in RTP, WebM and MP4. */
export const OPUS_SAMPLE_RATE = 48000;

const SILK_MS = [10, 20, 40, 60];
const HYBRID_MS = [10, 20];
const CELT_MS = [2.5, 5, 10, 20];

/** Duration of an Opus packet in 48 kHz samples, from its TOC byte; 0 when malformed. */
export function opusPacketSamples(packet: Buffer): number {
  const toc = packet[0];
  if (toc === undefined) return 0;
  const config = toc >> 3;
  const frameMs =
    config < 12
      ? (SILK_MS[config % 4] as number)
      : config < 16
        ? (HYBRID_MS[config % 2] as number)
        : (CELT_MS[config % 4] as number);
  const code = toc & 0x03;
  const frames = code === 0 ? 1 : code < 3 ? 2 : (packet[1] ?? 0) & 0x3f;
  return (frames * frameMs * OPUS_SAMPLE_RATE) / 1000;
}

/** Channels an Opus packet is coded with (the TOC's stereo flag). */
export function opusPacketChannels(packet: Buffer): 1 | 2 {
  return ((packet[0] ?? 0) & 0x04) !== 0 ? 2 : 1;
}

/** The OpusHead identification header (RFC 7845 5.1): WebM's CodecPrivate for A_OPUS. */
export function opusHead(channels: number, preSkip = 0): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'ascii');
  head[8] = 1;
  head[9] = channels;
  head.writeUInt16LE(preSkip, 10);
  head.writeUInt32LE(OPUS_SAMPLE_RATE, 12);
  head.writeInt16LE(0, 16);
  head[18] = 0; // channel mapping family 0: mono or stereo
  return head;
}

/** The channel count of an OpusHead, or undefined when it is not one. */
export function parseOpusHead(head: Buffer): { channels: number } | undefined {
  if (head.length < 19 || head.toString('ascii', 0, 8) !== 'OpusHead') return undefined;
  return { channels: head[9] as number };
}
