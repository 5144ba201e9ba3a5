import { randomInt } from 'node:crypto';
import { monotonicMs } from './ArrivalLog.js';
import type { Clip } from './clip.js';
import type { MediaKind, RtpHeaderFields } from './rtp.js';
import { AUDIO_PAYLOAD_TYPE, VIDEO_PAYLOAD_TYPE } from './rtp.js';

/** Packets due within this much of now go out in the same tick (timers are not exact). */
const SEND_TOLERANCE_MS = 1;

interface StreamState {
  readonly ssrc: number;
  readonly payloadType: number;
  readonly timestampBase: number;
  sequenceNumber: number;
}

/** Sends one packet; `clipIndex` is its place in the clip's packet list. */
export type SendClipPacket = (
  kind: MediaKind,
  header: RtpHeaderFields,
  payload: Buffer,
  clipIndex: number,
) => void;

/**
 * Plays the clip's packets in real time, in a loop, as one audio and one video RTP stream whose
 * sequence numbers and timestamps run on across loops (a receiver sees one endless stream).
 */
export class ClipReplay {
  readonly #clip: Clip;
  readonly #send: SendClipPacket;
  readonly #streams: Record<MediaKind, StreamState>;
  #startMs = 0;
  #next = 0;
  #loop = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(clip: Clip, send: SendClipPacket) {
    this.#clip = clip;
    this.#send = send;
    const stream = (payloadType: number): StreamState => ({
      ssrc: randomInt(1, 0xffffffff),
      payloadType,
      timestampBase: randomInt(0, 0x7fffffff),
      sequenceNumber: randomInt(0, 0x8000),
    });
    this.#streams = { audio: stream(AUDIO_PAYLOAD_TYPE), video: stream(VIDEO_PAYLOAD_TYPE) };
  }

  start(): void {
    this.#startMs = monotonicMs();
    this.#tick();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  #tick = (): void => {
    const packets = this.#clip.packets;
    const nowMs = monotonicMs();
    for (let packet = packets[this.#next]; packet; packet = packets[this.#next]) {
      if (this.#dueMs(packet.timeMs) > nowMs + SEND_TOLERANCE_MS) break;
      const stream = this.#streams[packet.kind];
      const loopTicks =
        (this.#loop * this.#clip.durationMs * this.#clip.clockRates[packet.kind]) / 1000;
      this.#send(
        packet.kind,
        {
          payloadType: stream.payloadType,
          marker: packet.marker,
          sequenceNumber: stream.sequenceNumber,
          timestamp: (stream.timestampBase + loopTicks + packet.timestampOffset) >>> 0,
          ssrc: stream.ssrc,
        },
        packet.payload,
        this.#next,
      );
      stream.sequenceNumber = (stream.sequenceNumber + 1) & 0xffff;
      if (++this.#next === packets.length) {
        this.#next = 0;
        this.#loop++;
      }
    }
    const following = packets[this.#next];
    const waitMs = following ? this.#dueMs(following.timeMs) - monotonicMs() : 10;
    this.#timer = setTimeout(this.#tick, Math.max(0, waitMs));
  };

  #dueMs(clipTimeMs: number): number {
    return this.#startMs + this.#loop * this.#clip.durationMs + clipTimeMs;
  }
}
