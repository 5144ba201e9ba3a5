import { joinLengthPrefixed, NalType, nalType, parseSps } from '../../formats/h264.js';
import type { DepacketizedFrame } from '../EncodedFrame.js';
import type { Depacketizer } from './Depacketizer.js';

const FU_START = 0x80;

/**
 * RFC 6184 (packetization-mode 1): single NAL units, STAP-A aggregates and FU-A fragments,
 * turned into an access unit of length-prefixed NAL units (AVCC, as MP4 and Matroska store
 * H.264). SPS and PPS stay in the stream, so a resolution change mid-recording still decodes;
 * the latest ones are kept for the file's decoder configuration.
 */
export class H264Depacketizer implements Depacketizer {
  /** The latest sequence and picture parameter sets seen. */
  sps: Buffer | undefined;
  pps: Buffer | undefined;

  depacketize(payloads: readonly Buffer[]): DepacketizedFrame | undefined {
    const nals: Buffer[] = [];
    let fragments: Buffer[] | undefined;
    for (const payload of payloads) {
      const type = nalType(payload);
      if (type === NalType.FU_A) {
        const header = payload[1];
        if (header === undefined) return undefined;
        if (header & FU_START) {
          const nalHeader = ((payload[0] as number) & 0xe0) | (header & 0x1f);
          fragments = [Buffer.from([nalHeader])];
        }
        if (!fragments) return undefined;
        fragments.push(payload.subarray(2));
        if (header & 0x40) {
          nals.push(Buffer.concat(fragments));
          fragments = undefined;
        }
      } else if (type === NalType.STAP_A) {
        if (!splitAggregate(payload, nals)) return undefined;
      } else if (type >= 1 && type <= 23) {
        nals.push(payload);
      }
    }
    const kept = nals.filter((nal) => nalType(nal) !== NalType.ACCESS_UNIT_DELIMITER);
    if (kept.length === 0) return undefined;
    let keyframe = false;
    let size: { width: number; height: number } | undefined;
    for (const nal of kept) {
      const type = nalType(nal);
      if (type === NalType.IDR_SLICE) keyframe = true;
      else if (type === NalType.SPS) {
        this.sps = nal;
        size = parseSps(nal) ?? size;
      } else if (type === NalType.PPS) this.pps = nal;
    }
    return { data: joinLengthPrefixed(kept), keyframe, ...(keyframe ? size : undefined) };
  }

  startsFrame(payload: Buffer): boolean {
    if (nalType(payload) !== NalType.FU_A) return true;
    return ((payload[1] ?? 0) & FU_START) !== 0;
  }
}

function splitAggregate(payload: Buffer, into: Buffer[]): boolean {
  let offset = 1;
  while (offset + 2 <= payload.length) {
    const size = payload.readUInt16BE(offset);
    offset += 2;
    if (size === 0 || offset + size > payload.length) return false;
    into.push(payload.subarray(offset, offset + size));
    offset += size;
  }
  return true;
}
