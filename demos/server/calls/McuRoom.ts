import type { Composite, MediaClient, MediaPipeline } from '@medley/media-client';
import type { McuRoomParticipant } from '../../protocol/McuRoomProtocol.js';
import { BrowserStream } from './BrowserStream.js';
import { CallError } from './CallError.js';
import type { IceCandidateInit } from './IceCandidateInit.js';

interface Participant extends McuRoomParticipant {
  stream?: BrowserStream;
}

/** The mixed picture: small enough for a laptop to encode once per room, big enough for 3x3. */
const mix = { width: 640, height: 480, framerate: 15 } as const;

/**
 * The media of one mixed (MCU) room: a pipeline with a Composite, and per participant one
 * WebRtcEndpoint connected both ways to a HubPort of it. The media server lays every camera out
 * in one grid, encoded once, and mixes for each participant the others' audio, so each browser
 * sends one stream and receives one, however many are in the room (a group call's SFU sends
 * each browser N - 1 streams).
 *
 * Membership changes synchronously; only media work awaits, so concurrent joins, connects and
 * leaves never see a half-updated room.
 */
export class McuRoom {
  readonly #participants = new Map<string, Participant>();
  readonly #media: Promise<{ pipeline: MediaPipeline; composite: Composite }>;
  #closed = false;

  constructor(
    readonly name: string,
    /** The media server the room's pipeline is on. */
    readonly client: MediaClient,
  ) {
    this.#media = client.create('MediaPipeline').then(async (pipeline) => {
      try {
        return { pipeline, composite: await pipeline.create('Composite', mix) };
      } catch (error) {
        await pipeline.release().catch(() => undefined);
        throw error;
      }
    });
    // connect() reports a failure to create them; close() must not see it unhandled.
    this.#media.catch(() => undefined);
  }

  get isEmpty(): boolean {
    return this.#participants.size === 0;
  }

  has(participantId: string): boolean {
    return this.#participants.has(participantId);
  }

  /** Everyone in the room, in joining order. */
  participants(): McuRoomParticipant[] {
    return [...this.#participants.values()].map(({ id, name }) => ({ id, name }));
  }

  join(participant: McuRoomParticipant): void {
    if (this.#closed) throw new CallError('ENDED', `Room "${this.name}" is closing: join again.`);
    this.#participants.set(participant.id, { ...participant });
  }

  /**
   * Answers the participant's offer with an endpoint whose media goes into the mix and which
   * sends the mix back. A new offer replaces the participant's previous stream.
   */
  async connect(
    participantId: string,
    sdpOffer: string,
    sendCandidate: (candidate: IceCandidateInit) => void,
  ): Promise<string> {
    const participant = this.#participant(participantId);
    const { pipeline, composite } = await this.#media;
    const previous = participant.stream;
    const stream = new BrowserStream({ kind: 'hubMember', hub: composite }, sendCandidate);
    participant.stream = stream;
    await previous?.release();
    try {
      return await stream.start(pipeline, sdpOffer);
    } catch (error) {
      if (participant.stream === stream) participant.stream = undefined;
      if (!this.has(participantId)) {
        throw new CallError('ENDED', `You left room "${this.name}" meanwhile.`);
      }
      throw error;
    }
  }

  async addIceCandidate(participantId: string, candidate: IceCandidateInit): Promise<void> {
    await this.#participants.get(participantId)?.stream?.addIceCandidate(candidate);
  }

  /** Removes the participant and releases their endpoint and port: the grid shrinks. */
  async leave(participantId: string): Promise<void> {
    const leaving = this.#participants.get(participantId);
    if (!leaving) return;
    this.#participants.delete(participantId);
    await leaving.stream?.release();
  }

  /** Releases the pipeline and its Composite (call it once the room is empty). */
  async close(): Promise<void> {
    this.#closed = true;
    const media = await this.#media.catch(() => undefined);
    await media?.pipeline.release();
  }

  #participant(participantId: string): Participant {
    const participant = this.#participants.get(participantId);
    if (!participant) throw new CallError('INVALID_STATE', 'Join a room first.');
    return participant;
  }
}
