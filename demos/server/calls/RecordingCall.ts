import type {
  MediaClient,
  MediaFlowStateChangedEvent,
  MediaPipeline,
  RecorderEndpoint,
} from '@medley/media-client';
import type { RecordingProfile } from '../../protocol/RecorderProtocol.js';
import { describeError } from '../describeError.js';
import { BrowserEndpoint } from './BrowserEndpoint.js';
import type { IceCandidateInit } from './IceCandidateInit.js';

export interface RecordingCallEvents {
  sendCandidate(candidate: IceCandidateInit): void;
  /** The recorder was asked to record: the file's time 0. */
  recording(): void;
  failed(message: string): void;
}

/**
 * Kurento's recorder tutorial: the browser's WebRtcEndpoint plays back to itself (so the page
 * sees what is recorded) and feeds a RecorderEndpoint. Recording starts once video flows in, so
 * the file starts with media, not with the seconds ICE and DTLS take.
 */
export class RecordingCall {
  readonly #browser: BrowserEndpoint;
  #pipeline: MediaPipeline | undefined;
  #recorder: RecorderEndpoint | undefined;
  #recordingStarted = false;
  /** When record() was asked for (performance.now() ms), to report the wall time recorded. */
  #recordRequestedAt: number | undefined;

  constructor(
    private readonly client: MediaClient,
    private readonly events: RecordingCallEvents,
  ) {
    this.#browser = new BrowserEndpoint(events.sendCandidate);
  }

  async start(sdpOffer: string, uri: string, profile: RecordingProfile): Promise<string> {
    const pipeline = await this.client.create('MediaPipeline');
    this.#pipeline = pipeline;
    try {
      const endpoint = await this.#browser.create(pipeline);
      const recorder = await pipeline.create('RecorderEndpoint', { uri, mediaProfile: profile });
      this.#recorder = recorder;
      await recorder.on('Error', (event) => this.events.failed(event.description));
      await endpoint.on('MediaFlowInStateChanged', (event) => this.#onFlowIn(event));
      await endpoint.connect(endpoint);
      await endpoint.connect(recorder);
      return await this.#browser.negotiate(sdpOffer);
    } catch (error) {
      await this.release();
      throw error;
    }
  }

  /** Whether the recorder was asked to record (video flowed in): the file exists from then on. */
  get recording(): boolean {
    return this.#recordingStarted;
  }

  addIceCandidate(candidate: IceCandidateInit): Promise<void> {
    return this.#browser.addIceCandidate(candidate);
  }

  /**
   * Finishes the file (duration and index written), then releases the pipeline. Resolves to the
   * wall time between asking the recorder to record and to stop, in seconds (0 if it never
   * started).
   */
  async stop(): Promise<number> {
    const startedAt = this.#recordRequestedAt;
    const wallSeconds = startedAt === undefined ? 0 : (performance.now() - startedAt) / 1000;
    try {
      if (this.#recordingStarted) await this.#recorder?.stopAndWait();
    } finally {
      await this.release();
    }
    return wallSeconds;
  }

  async release(): Promise<void> {
    const pipeline = this.#pipeline;
    this.#pipeline = undefined;
    this.#recorder = undefined;
    await pipeline?.release();
  }

  #onFlowIn(event: MediaFlowStateChangedEvent): void {
    if (event.mediaType !== 'VIDEO' || event.state !== 'FLOWING' || this.#recordingStarted) return;
    const recorder = this.#recorder;
    if (!recorder) return;
    this.#recordingStarted = true;
    this.#recordRequestedAt = performance.now();
    // The file's clock starts with this call (media arriving from now on is written from time 0),
    // while record() itself resolves only once the first keyframe is in: tell the page now.
    this.events.recording();
    recorder.record().catch((error: unknown) => this.events.failed(describeError(error)));
  }
}
