import { ErrorCodes, InvalidParamError, KurentoError } from '../errors.js';
import { onEndOfStream } from '../graph/endOfStream.js';
import { MediaNode, RTP_MEDIA_TYPES } from '../graph/index.js';
import type { ObjectInit } from '../objects/MediaObject.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import type { RecordingError } from '../recording/errors.js';
import { HttpRecordingUpload } from '../recording/HttpRecordingUpload.js';
import {
  MEDIA_PROFILE_NAMES,
  type MediaProfile,
  type MediaProfileName,
  mediaProfile,
} from '../recording/MediaProfile.js';
import { Recording } from '../recording/Recording.js';
import { recordingBytesWrittenUnder } from '../recording/RecordingBytesWritten.js';
import { redactCredentials } from '../redactCredentials.js';
import type { ElementStatsKind } from '../stats/elementStats.js';
import type { MediaPipeline } from './MediaPipeline.js';
import { UriEndpoint, UriEndpointType } from './UriEndpoint.js';
import { prepareRecordingDirectory, resolveUri, type UriLocation } from './UriEndpointLocation.js';

export const MediaProfileSpecType = t.enumeration('MediaProfileSpecType', MEDIA_PROFILE_NAMES);

export interface RecorderEndpointOptions {
  readonly uri: string;
  readonly mediaProfile: MediaProfileName;
  readonly stopOnEndOfStream: boolean;
}

/**
 * Kurento's RecorderEndpoint: stores the media connected into it in a file inside the media
 * root, as it arrives (WebM, MKV or fragmented MP4, without transcoding). With
 * `--allow-http-recording`, an `http(s)://` URI is uploaded instead, as it is recorded (one
 * chunked POST, see HttpRecordingUpload); an error status or a lost connection is an Error
 * event (UPLOAD_FAILED) and the recorder stops.
 *
 * `record()` starts (or resumes) a recording; `pause()` leaves the paused time out of the file;
 * `stop()` finishes the file (duration, index) and raises Stopped when it is complete;
 * `stopAndWait()` returns only then. Recording again after a stop starts the file over.
 * Events: Recording (media reaches the file), Paused, Stopped, UriEndpointStateChanged, and
 * Error when the codec does not fit the profile or the file cannot be written.
 */
export class RecorderEndpoint extends UriEndpoint {
  /**
   * What is recorded, from the `mediaProfile` param (default WEBM): the container, the track
   * kinds, and the codecs each may arrive in (anything else is an Error event, not transcoded).
   */
  readonly profile: MediaProfile;
  /** Where the recording goes: a file inside the media root, or an HTTP upload. */
  readonly location: UriLocation;
  /** The file the recording goes to (absolute, inside the media root); undefined for HTTP. */
  readonly path: string | undefined;
  /**
   * Kurento's `stopOnEndOfStream`: when a source connected to the recorder ends (a
   * PlayerEndpoint reaching the end of its file), the recorder stops as `stop()` does.
   */
  readonly stopOnEndOfStream: boolean;
  #recording: Recording | undefined;
  #starting: Promise<void> | undefined;

  constructor(init: ObjectInit, pipeline: MediaPipeline, options: RecorderEndpointOptions) {
    const profile = mediaProfile(options.mediaProfile);
    if (!profile) {
      throw new InvalidParamError(
        `mediaProfile ${options.mediaProfile} is not supported: the recorder stores media without transcoding, in WEBM, MKV or MP4 (and their _VIDEO_ONLY / _AUDIO_ONLY variants)`,
      );
    }
    const location = resolveUri(
      options.uri,
      init.context.media,
      'RecorderEndpoint',
      init.context.logger,
    );
    super(init, pipeline, new MediaNode({ name: 'RecorderEndpoint' }), options.uri);
    this.profile = profile;
    this.location = location;
    this.path = location.kind === 'file' ? location.path : undefined;
    this.stopOnEndOfStream = options.stopOnEndOfStream;
    for (const mediaType of RTP_MEDIA_TYPES) {
      const sink = this.node.sink(mediaType);
      sink.onRtp = (packet) => this.#recording?.push(mediaType, packet);
      onEndOfStream(sink, () => this.#onSourceEnded());
    }
  }

  /** Kurento's recorder reports `EndpointStats`: its E2E latency ends where media is written. */
  protected override get statsKind(): ElementStatsKind {
    return 'endpoint';
  }

  /** Starts recording (the file starts over), or resumes after `pause()`. */
  async record(): Promise<void> {
    const recording = this.#recording;
    if (recording?.state === 'paused') {
      recording.resume();
      this.setState('START');
      return;
    }
    if (recording?.state === 'recording') return;
    this.#starting ??= this.#start().finally(() => {
      this.#starting = undefined;
    });
    await this.#starting;
  }

  /**
   * Pauses recording (state PAUSE, Paused event): the paused time is left out of the file, and
   * `record()` resumes. Does nothing unless recording.
   */
  pause(): void {
    const recording = this.#recording;
    if (recording?.state !== 'recording') return;
    recording.pause();
    this.setState('PAUSE');
    this.emitEvent('Paused');
  }

  /** Finishes the file in the background; Stopped is raised when it is complete. */
  stop(): void {
    this.stopAndWait().catch((error: unknown) => this.logger.warn('stop failed', { error }));
  }

  /** Finishes the file and returns once it is complete (after Stopped). */
  async stopAndWait(): Promise<void> {
    await this.#starting;
    const recording = this.#recording;
    if (!recording) return;
    this.setState('STOP');
    await this.#finish(recording);
  }

  protected override async onRelease(): Promise<void> {
    const recording = this.#recording;
    if (recording) await recording.stop();
    await super.onRelease();
  }

  async #start(): Promise<void> {
    if (this.path !== undefined) await this.#prepareDirectory(this.path);
    const previous = this.#recording;
    if (previous) await previous.stop();
    const videoSink = this.node.sink('VIDEO');
    const location = this.location;
    const media = this.context.media;
    const name = location.kind === 'http' ? redactCredentials(this.uri) : `'${this.uri}'`;
    const recording: Recording = new Recording({
      ...(location.kind === 'file'
        ? { path: location.path, mediaRoot: media.root }
        : {
            openOutput: (onFailure) =>
              new HttpRecordingUpload({
                url: location.url,
                name,
                container: this.profile.container,
                policy: media.httpHosts,
                onFailure,
                written: recordingBytesWrittenUnder(media.root),
              }),
          }),
      name,
      profile: this.profile,
      requestKeyframe: () => videoSink.requestKeyframe(),
      onStarted: () => this.emitEvent('Recording'),
      onError: (error) => this.#onRecordingError(recording, error),
    });
    this.#recording = recording;
    this.setState('START');
  }

  async #prepareDirectory(path: string): Promise<void> {
    try {
      await prepareRecordingDirectory(this.uri, path, this.context.media, this.logger);
    } catch (error) {
      if (error instanceof KurentoError) throw error;
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      this.logger.warn('cannot create a recording directory', { path, reason });
      throw new KurentoError(
        'UNEXPECTED_ERROR',
        `RecorderEndpoint cannot create the directory of '${this.uri}' (${reason}): check that the media root is writable (the server log names the path)`,
        { cause: error },
      );
    }
  }

  /** Stopped is raised once per recording, when its file is complete. */
  async #finish(recording: Recording): Promise<void> {
    const alreadyStopping = recording.state === 'stopped';
    await recording.stop();
    if (!alreadyStopping && this.#recording === recording) this.emitEvent('Stopped');
  }

  #onRecordingError(recording: Recording, error: RecordingError): void {
    const fatal = recording.failed;
    this.emitEvent('Error', {
      description: error.message,
      errorCode:
        error.code === 'WRITE_FAILED' || error.code === 'UPLOAD_FAILED'
          ? ErrorCodes.UNEXPECTED_ERROR
          : ErrorCodes.UNSUPPORTED_MEDIA_TYPE,
      type: error.code,
    });
    if (fatal && this.#recording === recording) {
      this.setState('STOP');
      this.#finish(recording).catch((failure: unknown) =>
        this.logger.warn('closing a failed recording failed', { error: failure }),
      );
    }
  }

  #onSourceEnded(): void {
    if (this.stopOnEndOfStream && this.#recording?.state === 'recording') this.stop();
  }
}

const { method } = typeMembers<RecorderEndpoint>();

/**
 * The type table of RecorderEndpoint: constructor params `uri`, `mediaProfile` and
 * `stopOnEndOfStream`, the `record` and `stopAndWait` methods and the recording events.
 */
export const RecorderEndpointType = defineType({
  name: 'RecorderEndpoint',
  module: 'elements',
  extends: UriEndpointType,
  constructorParams: {
    mediaPipeline: t.mediaObject<MediaPipeline>('MediaPipeline'),
    uri: t.string,
    mediaProfile: t.optional(MediaProfileSpecType, 'WEBM'),
    stopOnEndOfStream: t.optional(t.boolean, false),
  },
  create: ({ mediaPipeline, uri, mediaProfile, stopOnEndOfStream }, init) =>
    new RecorderEndpoint(init, mediaPipeline, { uri, mediaProfile, stopOnEndOfStream }),
  methods: {
    record: method({}, (recorder) => recorder.record()),
    stopAndWait: method({}, (recorder) => recorder.stopAndWait()),
  },
  events: ['Recording', 'Paused', 'Stopped'],
});
