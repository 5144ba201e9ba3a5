import {
  NalType,
  nalType,
  parseAvcDecoderConfiguration,
  splitLengthPrefixed,
} from '../../formats/h264.js';
import { MAX_PAYLOAD_BYTES, type Packetizer } from './Packetizer.js';

/**
 * RFC 6184 packetization-mode 1: a NAL unit that fits goes alone, a larger one in FU-A
 * fragments. Key frames get the SPS and PPS of the file's decoder configuration in front when
 * the stream does not carry them, as a WebRTC receiver needs them in band.
 */
export class H264Packetizer implements Packetizer {
  readonly #nalLengthSize: number;
  readonly #parameterSets: readonly Buffer[];

  /** `avcConfiguration`: the track's AVCDecoderConfigurationRecord. */
  constructor(avcConfiguration: Buffer | undefined) {
    const configuration = avcConfiguration
      ? parseAvcDecoderConfiguration(avcConfiguration)
      : undefined;
    this.#nalLengthSize = configuration?.nalLengthSize ?? 4;
    this.#parameterSets = configuration ? [...configuration.sps, ...configuration.pps] : [];
  }

  packetize(frame: Buffer, keyframe: boolean): Buffer[] {
    let nals = splitLengthPrefixed(frame, this.#nalLengthSize);
    if (keyframe && !nals.some((nal) => nalType(nal) === NalType.SPS)) {
      nals = [...this.#parameterSets, ...nals];
    }
    const payloads: Buffer[] = [];
    for (const nal of nals) {
      if (nalType(nal) === NalType.ACCESS_UNIT_DELIMITER) continue;
      if (nal.length <= MAX_PAYLOAD_BYTES) payloads.push(nal);
      else payloads.push(...fragment(nal));
    }
    return payloads;
  }
}

function fragment(nal: Buffer): Buffer[] {
  const header = nal[0] as number;
  const indicator = (header & 0xe0) | NalType.FU_A;
  const body = nal.subarray(1);
  const pieceSize = MAX_PAYLOAD_BYTES - 2;
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < body.length; offset += pieceSize) {
    const start = offset === 0 ? 0x80 : 0;
    const end = offset + pieceSize >= body.length ? 0x40 : 0;
    pieces.push(
      Buffer.concat([
        Buffer.from([indicator, start | end | (header & 0x1f)]),
        body.subarray(offset, offset + pieceSize),
      ]),
    );
  }
  return pieces;
}
