import type { MediaClient, MediaPipeline } from '@medley/media-client';
import type { GroupCallParticipant } from '../../protocol/GroupCallProtocol.js';
import { BrowserStream } from './BrowserStream.js';
import { CallError } from './CallError.js';
import type { IceCandidateInit } from './IceCandidateInit.js';

type SendCandidate = (candidate: IceCandidateInit) => void;

/** One person in the room: the camera they publish and the streams they receive, by publisher. */
interface Participant extends GroupCallParticipant {
  publisher?: BrowserStream;
  readonly subscriptions: Map<string, BrowserStream>;
}

/**
 * The media of one group-call room: a pipeline in which each participant publishes once (one
 * endpoint receiving their camera) and receives each other participant through an endpoint of
 * its own, fed by `publisher.connect(subscription)`. With N participants that is N + N(N-1)
 * endpoints, and no transcoding: the media server forwards each camera as it came.
 *
 * Membership changes synchronously; only media work awaits, so concurrent joins, publishes and
 * leaves never see a half-updated room.
 */
export class GroupCallRoom {
  readonly #participants = new Map<string, Participant>();
  readonly #pipeline: Promise<MediaPipeline>;
  #closed = false;

  constructor(
    readonly name: string,
    /** The media server the room's pipeline is on. */
    readonly client: MediaClient,
  ) {
    this.#pipeline = client.create('MediaPipeline');
    // Publish and subscribe report a failure to create it; close() must not see it unhandled.
    this.#pipeline.catch(() => undefined);
  }

  get isEmpty(): boolean {
    return this.#participants.size === 0;
  }

  has(participantId: string): boolean {
    return this.#participants.has(participantId);
  }

  /** Participants whose camera can be subscribed to. */
  publishers(): GroupCallParticipant[] {
    return [...this.#participants.values()]
      .filter((participant) => participant.publisher?.negotiated)
      .map(({ id, name }) => ({ id, name }));
  }

  join(participant: GroupCallParticipant): void {
    if (this.#closed) throw new CallError('ENDED', `Room "${this.name}" is closing: join again.`);
    this.#participants.set(participant.id, { ...participant, subscriptions: new Map() });
  }

  /** Answers the participant's offer with an endpoint that receives their camera. */
  async publish(
    participantId: string,
    sdpOffer: string,
    sendCandidate: SendCandidate,
  ): Promise<string> {
    const participant = this.#participant(participantId);
    if (participant.publisher) {
      throw new CallError(
        'INVALID_STATE',
        'This page publishes its camera already: once is enough.',
      );
    }
    const publisher = new BrowserStream({ kind: 'publisher' }, sendCandidate);
    participant.publisher = publisher;
    try {
      return await publisher.start(await this.#pipeline, sdpOffer);
    } catch (error) {
      if (participant.publisher === publisher) participant.publisher = undefined;
      throw this.has(participantId) ? error : this.#leftError('You');
    }
  }

  /** Answers the subscriber's offer with an endpoint fed by the publisher's. */
  async subscribe(
    subscriberId: string,
    publisherId: string,
    sdpOffer: string,
    sendCandidate: SendCandidate,
  ): Promise<string> {
    const subscriber = this.#participant(subscriberId);
    if (publisherId === subscriberId) {
      throw new CallError('INVALID_ARGUMENT', 'Your own camera is in your preview already.');
    }
    const publisher = this.#participants.get(publisherId);
    if (!publisher?.publisher?.negotiated) {
      throw new CallError(
        'NOT_FOUND',
        `No participant "${publisherId}" publishes in room "${this.name}" (any more).`,
      );
    }
    // A new offer for the same publisher replaces the old stream (a renegotiation).
    const previous = subscriber.subscriptions.get(publisherId);
    const subscription = new BrowserStream(
      { kind: 'subscriber', source: publisher.publisher.endpoint },
      sendCandidate,
    );
    subscriber.subscriptions.set(publisherId, subscription);
    await previous?.release();
    try {
      return await subscription.start(await this.#pipeline, sdpOffer);
    } catch (error) {
      if (subscriber.subscriptions.get(publisherId) === subscription) {
        subscriber.subscriptions.delete(publisherId);
      }
      if (!this.has(subscriberId)) throw this.#leftError('You');
      if (!this.has(publisherId)) throw this.#leftError(publisher.name);
      throw error;
    }
  }

  /** Routes a browser candidate to its publisher stream, or to its subscription to `publisherId`. */
  async addIceCandidate(
    participantId: string,
    publisherId: string | undefined,
    candidate: IceCandidateInit,
  ): Promise<void> {
    const participant = this.#participants.get(participantId);
    const stream =
      publisherId === undefined
        ? participant?.publisher
        : participant?.subscriptions.get(publisherId);
    await stream?.addIceCandidate(candidate);
  }

  /**
   * Removes the participant and releases every endpoint that carried their media: their
   * publisher, their subscriptions, and the others' subscriptions to them.
   */
  async leave(participantId: string): Promise<void> {
    const leaving = this.#participants.get(participantId);
    if (!leaving) return;
    this.#participants.delete(participantId);
    const streams = [leaving.publisher, ...leaving.subscriptions.values()];
    for (const other of this.#participants.values()) {
      streams.push(other.subscriptions.get(participantId));
      other.subscriptions.delete(participantId);
    }
    await Promise.all(streams.map((stream) => stream?.release()));
  }

  /** Releases the pipeline (call it once the room is empty). */
  async close(): Promise<void> {
    this.#closed = true;
    const pipeline = await this.#pipeline.catch(() => undefined);
    await pipeline?.release();
  }

  #participant(participantId: string): Participant {
    const participant = this.#participants.get(participantId);
    if (!participant) throw new CallError('INVALID_STATE', 'Join a room first.');
    return participant;
  }

  #leftError(who: string): CallError {
    return new CallError('ENDED', `${who} left room "${this.name}" meanwhile.`);
  }
}
