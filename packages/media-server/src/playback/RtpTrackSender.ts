import { randomInt } from 'node:crypto';
import { parseAvcDecoderConfiguration } from '../formats/h264.js';
import type { MediaCodec, MediaPacket } from '../graph/index.js';
import type { PlayableTrack } from './DemuxedMedia.js';
import { createPacketizer, type Packetizer } from './packetizers/index.js';

const PICTURE_ID_MODULO = 0x8000;

/**
 * Turns the frames of one track into the RTP packets the graph carries: payloads from the
 * codec's packetizer, one SSRC, consecutive sequence numbers, and timestamps in the codec's
 * clock from a random start. The packet object is reused (the graph copies what it keeps).
 */
export class RtpTrackSender {
  readonly track: PlayableTrack;
  readonly codec: MediaCodec;
  readonly #packetizer: Packetizer;
  readonly #timestampBase = randomInt(0, 0x7fffffff);
  #sequenceNumber = randomInt(0, 0x8000);
  #pictureId = randomInt(0, PICTURE_ID_MODULO);
  readonly #packet: MediaPacket;

  constructor(track: PlayableTrack) {
    this.track = track;
    this.codec = mediaCodecOf(track);
    this.#packetizer = createPacketizer(track);
    this.#packet = {
      payloadType: this.codec.payloadType,
      sequenceNumber: 0,
      timestamp: 0,
      ssrc: randomInt(1, 0xffffffff),
      marker: false,
      payload: Buffer.alloc(0),
      codec: this.codec,
    };
  }

  /** The RTP timestamp of a moment of the playback timeline (ms). */
  timestampAt(timelineMs: number): number {
    return (this.#timestampBase + Math.round((timelineMs * this.codec.clockRate) / 1000)) >>> 0;
  }

  /** The picture id the next new frame gets (VP8/VP9). */
  nextPictureId(): number {
    const id = this.#pictureId;
    this.#pictureId = (this.#pictureId + 1) % PICTURE_ID_MODULO;
    return id;
  }

  /** Packetizes a frame and hands each packet to `send`. */
  send(
    data: Buffer,
    keyframe: boolean,
    timestamp: number,
    pictureId: number,
    send: (packet: MediaPacket) => void,
  ): void {
    const payloads = this.#packetizer.packetize(data, keyframe, pictureId);
    const video = this.track.kind === 'video';
    const packet = this.#packet;
    payloads.forEach((payload, index) => {
      packet.sequenceNumber = this.#sequenceNumber;
      this.#sequenceNumber = (this.#sequenceNumber + 1) & 0xffff;
      packet.timestamp = timestamp;
      packet.marker = video && index === payloads.length - 1;
      packet.payload = payload;
      send(packet);
    });
  }
}

/** The codec a track is announced with on the graph, with the fmtp a receiver checks. */
export function mediaCodecOf(track: PlayableTrack): MediaCodec {
  switch (track.codec) {
    case 'VP8':
      return { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 };
    case 'VP9':
      return {
        mimeType: 'video/VP9',
        payloadType: 98,
        clockRate: 90000,
        parameters: 'profile-id=0',
      };
    case 'H264':
      return {
        mimeType: 'video/H264',
        payloadType: 102,
        clockRate: 90000,
        parameters: `level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=${profileLevelId(track)}`,
      };
    case 'OPUS':
      return {
        mimeType: 'audio/opus',
        payloadType: 111,
        clockRate: 48000,
        channels: 2,
        parameters: 'minptime=10;useinbandfec=1',
      };
  }
}

/** `profile-level-id` from the SPS: profile_idc, constraint flags, level_idc in hex. */
function profileLevelId(track: PlayableTrack): string {
  const sps = track.avcConfiguration
    ? parseAvcDecoderConfiguration(track.avcConfiguration)?.sps[0]
    : undefined;
  if (!sps || sps.length < 4) return '42e01f';
  return sps.subarray(1, 4).toString('hex');
}
