import { InvalidParamError, KurentoError } from '../errors.js';
import { signalEndOfStream } from '../graph/endOfStream.js';
import { MediaNode, RTP_MEDIA_TYPES } from '../graph/index.js';
import { complexValue } from '../objects/complexTypes.js';
import type { ObjectInit } from '../objects/MediaObject.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import { type ByteSource, FileByteSource } from '../playback/ByteSource.js';
import { byteSourceFeed } from '../playback/ByteSourceFeed.js';
import { MediaFileError } from '../playback/errors.js';
import {
  GST_FILE_AUDIO_CODEC,
  GST_FILE_VIDEO_CODEC,
  GstFilePlayback,
} from '../playback/GstFilePlayback.js';
import { hlsByteStream, isHlsUrl } from '../playback/HlsByteStream.js';
import { HttpByteSource } from '../playback/HttpByteSource.js';
import { openDemuxer } from '../playback/openDemuxer.js';
import { Playback } from '../playback/Playback.js';
import { RtspPlayback } from '../playback/RtspPlayback.js';
import type { MediaPipeline } from './MediaPipeline.js';
import { OutsideMediaRootError, openInsideRootForReading } from './MediaRootFile.js';
import { UriEndpoint, UriEndpointType } from './UriEndpoint.js';
import { resolveUri, type UriLocation } from './UriEndpointLocation.js';

/** Kurento's VideoInfo of a played file, from {@link PlayerEndpoint.getVideoInfo}. */
export interface VideoInfo {
  /** Whether {@link PlayerEndpoint.setPosition} works: true for every file Medley plays. */
  readonly isSeekable: boolean;
  /** First position a seek may go to, in milliseconds: 0. */
  readonly seekableInit: number;
  /** Last position a seek may go to, in milliseconds: the duration. */
  readonly seekableEnd: number;
  /** Length of the file, in milliseconds (rounded). */
  readonly duration: number;
}

/**
 * Kurento's PlayerEndpoint: plays a WebM or MKV file (VP8, VP9 or H.264 video, Opus audio) from
 * the media root, or an http(s) URI when the server allows it, into the pipeline in real time.
 * The media is sent as it is stored (Kurento's `useEncodedMedia`): a sink that did not
 * negotiate the file's codec reports an Error. A receiver that asks for a key frame gets the
 * video sent again from the last one (a file cannot make a new key frame).
 *
 * The file is opened by the first `play()` (or getVideoInfo/setPosition); a missing or
 * unreadable file raises Error with code 40600 and the path.
 *
 * An `rtsp://` URI (an IP camera; network playback enabled and the host allowed, as for
 * http) is pulled through a GStreamer stage: its H.264 is passed through as the camera encoded
 * it, a camera that drops is reconnected with back-off, and one that cannot be reached before
 * it ever sent media raises Error (40600). A live stream has no position or duration.
 */
export class PlayerEndpoint extends UriEndpoint {
  /**
   * The file (absolute path inside the media root) or http(s) URL that `uri` resolved to.
   * @internal
   */
  readonly location: UriLocation;
  #playback: Playback | undefined;
  #opening: Promise<Playback> | undefined;
  #rtsp: RtspPlayback | undefined;
  #gstFile: GstFilePlayback | undefined;

  constructor(init: ObjectInit, pipeline: MediaPipeline, uri: string) {
    const location = resolveUri(uri, init.context.media, 'PlayerEndpoint', init.context.logger);
    super(init, pipeline, new MediaNode({ name: 'PlayerEndpoint' }), uri);
    this.location = location;
    this.node.source('VIDEO').onKeyframeRequest = () => {
      this.#playback?.requestKeyframe();
      this.#gstFile?.requestKeyframe();
    };
  }

  /**
   * Where the media is read from, for messages to the client: the URI as it gave it (a file's
   * absolute path, which names the media root, goes to the server log only).
   */
  get resource(): string {
    return this.location.kind === 'file' ? `'${this.uri}'` : this.location.url.href;
  }

  /** Starts playing (from the start after a stop or the end), or resumes after a pause. */
  async play(): Promise<void> {
    if (this.location.kind === 'rtsp') {
      await this.#playRtsp(this.location.url);
      return;
    }
    if (this.#gstFile || (this.location.kind === 'http' && isHlsUrl(this.location.url))) {
      await this.#playThroughGstreamer();
      return;
    }
    let failure: unknown;
    const playback = await this.#open().catch((error: unknown) => {
      failure = error;
      return undefined;
    });
    if (!playback && isNotSupported(failure)) {
      await this.#playThroughGstreamer();
      return;
    }
    if (!playback) this.#reportOpenFailure(failure);
    if (!playback || this.released) return;
    playback.play();
    this.setState('START');
  }

  /**
   * A container or codec the in-process demuxers do not read: GStreamer decodes it and the
   * stage sends VP8 and Opus (no seeking, pausing stops). An http(s) resource is fetched here,
   * through the host policy, and fed to the stage: GStreamer connects to nothing.
   */
  async #playThroughGstreamer(): Promise<void> {
    const location = this.location;
    if (location.kind === 'rtsp') return;
    const hosts = this.context.media.httpHosts;
    this.#gstFile ??= new GstFilePlayback(
      location.kind === 'file'
        ? location.path
        : isHlsUrl(location.url)
          ? hlsByteStream(location.url, hosts)
          : byteSourceFeed(() => HttpByteSource.open(location.url, hosts)),
      this.context.media.root,
      { plane: this.context.processing, logger: this.logger },
      {
        onPacket: (kind, packet) =>
          this.node.source(kind === 'video' ? 'VIDEO' : 'AUDIO').pushRtp(packet),
        onEndOfStream: () => this.#onEndOfStream(),
        onError: (message) =>
          this.#reportPlaybackError(
            new MediaFileError(location.kind === 'http' ? 'UNREADABLE' : 'NOT_SUPPORTED', message),
          ),
      },
    );
    this.node.source('VIDEO').codecs = [GST_FILE_VIDEO_CODEC];
    this.node.source('AUDIO').codecs = [GST_FILE_AUDIO_CODEC];
    this.setState('START');
    try {
      await this.#gstFile.play();
    } catch (error) {
      // The stage opens nothing itself: the file it plays is checked and opened again here.
      this.#reportPlaybackError(
        error instanceof OutsideMediaRootError
          ? error
          : (error as NodeJS.ErrnoException).syscall !== undefined
            ? toMediaFileError(error)
            : new MediaFileError(
                'NOT_SUPPORTED',
                error instanceof Error ? error.message : String(error),
              ),
      );
    }
  }

  /** Holds the position (state PAUSE) until `play()` resumes; does nothing unless playing. */
  pause(): void {
    if (this.#rtsp || this.#gstFile) {
      void this.#rtsp?.stop();
      void this.#gstFile?.stop();
      this.setState('PAUSE');
      return;
    }
    if (this.#playback?.state !== 'playing') return;
    this.#playback.pause();
    this.setState('PAUSE');
  }

  /** Stops sending (state STOP); the next `play()` starts from the beginning. */
  stop(): void {
    void this.#rtsp?.stop();
    void this.#gstFile?.stop();
    this.#playback?.stop();
    this.setState('STOP');
  }

  /** Where playback is in the file, in milliseconds (0 after a stop). */
  get positionMs(): number {
    return Math.round(this.#playback?.positionMs ?? 0);
  }

  /**
   * Seeks to `positionMs` (milliseconds into the file): video resumes from the last keyframe at
   * or before it. Set before `play()`, playback starts there. Opens the file if needed, so it
   * throws what opening throws (see {@link getVideoInfo}), and MEDIA_OBJECT_ILLEGAL_PARAM_ERROR
   * (40107) for a position outside 0 to the duration.
   */
  async setPosition(positionMs: number): Promise<void> {
    if (this.location.kind === 'rtsp') {
      throw new InvalidParamError(
        `${this.resource} is a live stream: it has no position to seek to`,
      );
    }
    const playback = await this.#openOrThrow();
    if (positionMs < 0 || positionMs > playback.demuxer.durationMs) {
      throw new InvalidParamError(
        `position must be 0-${Math.floor(playback.demuxer.durationMs)} ms (the length of ${this.resource}), got ${positionMs}`,
      );
    }
    playback.seek(positionMs);
  }

  /**
   * The file's duration and seek range, opening the file if needed. Throws a KurentoError:
   * URI_PATH_FILE_NOT_FOUND (40600) for a missing or unreadable file,
   * MEDIA_OBJECT_ILLEGAL_PARAM_ERROR (40107) for a path outside the media root or an http host
   * the server refuses, UNSUPPORTED_MEDIA_TYPE (40005) for a container or codec it cannot play.
   */
  async getVideoInfo(): Promise<VideoInfo> {
    if (this.location.kind === 'rtsp') {
      return { isSeekable: false, seekableInit: 0, seekableEnd: 0, duration: 0 };
    }
    const playback = await this.#openOrThrow();
    const duration = Math.round(playback.demuxer.durationMs);
    return { isSeekable: true, seekableInit: 0, seekableEnd: duration, duration };
  }

  protected override async onRelease(): Promise<void> {
    await this.#rtsp?.stop();
    await this.#gstFile?.stop();
    const playback = await this.#opening?.catch(() => undefined);
    await playback?.close();
    await super.onRelease();
  }

  /** A live camera: pulled through the processing plane, reconnected when it drops. */
  async #playRtsp(url: URL): Promise<void> {
    this.#rtsp ??= new RtspPlayback(
      url,
      { plane: this.context.processing, hosts: this.context.media.httpHosts, logger: this.logger },
      {
        onPacket: (packet) => {
          const source = this.node.source('VIDEO');
          if (!source.codecs && this.#rtsp?.codec) source.codecs = [this.#rtsp.codec];
          source.pushRtp(packet);
        },
        onError: (message) => {
          this.setState('STOP');
          this.#reportOpenFailure(
            new KurentoError(
              'URI_PATH_FILE_NOT_FOUND',
              `PlayerEndpoint cannot read ${this.resource}: ${message}`,
            ),
          );
        },
      },
    );
    this.setState('START');
    await this.#rtsp.play();
  }

  #open(): Promise<Playback> {
    this.#opening ??= this.#openPlayback();
    this.#opening.catch(() => {
      this.#opening = undefined; // the next play() tries again (the file may appear)
    });
    return this.#opening;
  }

  async #openPlayback(): Promise<Playback> {
    let source: ByteSource;
    try {
      source =
        this.location.kind === 'file'
          ? await FileByteSource.fromHandle(
              await openInsideRootForReading(this.location.path, this.context.media.root),
            )
          : await HttpByteSource.open(this.location.url, this.context.media.httpHosts);
    } catch (error) {
      if (error instanceof OutsideMediaRootError) throw error;
      throw toMediaFileError(error);
    }
    const demuxer = await openDemuxer(source);
    const playback = new Playback(demuxer, {
      onPacket: (kind, packet) =>
        this.node.source(kind === 'video' ? 'VIDEO' : 'AUDIO').pushRtp(packet),
      onEndOfStream: () => this.#onEndOfStream(),
      onError: (error) => this.#reportPlaybackError(error),
    });
    if (this.released) {
      await playback.close();
      throw new MediaFileError('UNREADABLE', 'the player was released');
    }
    this.#playback = playback;
    return playback;
  }

  async #openOrThrow(): Promise<Playback> {
    try {
      return await this.#open();
    } catch (error) {
      throw this.#kurentoError(error);
    }
  }

  #onEndOfStream(): void {
    for (const mediaType of RTP_MEDIA_TYPES) signalEndOfStream(this.node.source(mediaType));
    this.emitEvent('EndOfStream');
    this.setState('STOP');
  }

  #reportOpenFailure(error: unknown): void {
    const kurento = this.#kurentoError(error);
    this.emitEvent('Error', {
      description: kurento.message,
      errorCode: kurento.code,
      type: kurento.type,
    });
  }

  #reportPlaybackError(error: MediaFileError | OutsideMediaRootError): void {
    this.setState('STOP');
    this.#reportOpenFailure(error);
  }

  #kurentoError(error: unknown): KurentoError {
    if (error instanceof KurentoError) return error;
    if (error instanceof OutsideMediaRootError) {
      this.logger.warn('player refused a file outside the media root', {
        uri: this.uri,
        path: error.path,
      });
      return new KurentoError(
        'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR',
        `PlayerEndpoint cannot read ${this.resource}: ${error.message}; nothing was read. Play files that are inside the media root.`,
        { cause: error },
      );
    }
    const fileError = error instanceof MediaFileError ? error : toMediaFileError(error);
    if (fileError.code === 'FORBIDDEN') {
      return new KurentoError(
        'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR',
        `PlayerEndpoint ${fileError.message}`,
        { cause: error },
      );
    }
    if (fileError.code === 'NOT_FOUND' || fileError.code === 'UNREADABLE') {
      return new KurentoError(
        'URI_PATH_FILE_NOT_FOUND',
        `PlayerEndpoint cannot read ${this.resource}: ${fileError.message}`,
        { cause: error },
      );
    }
    return new KurentoError(
      'UNSUPPORTED_MEDIA_TYPE',
      `PlayerEndpoint cannot play ${this.resource}: ${fileError.message}`,
      { cause: error },
    );
  }
}

function isNotSupported(error: unknown): boolean {
  return error instanceof MediaFileError && error.code === 'NOT_SUPPORTED';
}

function toMediaFileError(error: unknown): MediaFileError {
  if (error instanceof MediaFileError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
    return new MediaFileError('NOT_FOUND', 'no such file (or not a regular file)', {
      cause: error,
    });
  }
  return new MediaFileError('UNREADABLE', `${code ?? String(error)}`, { cause: error });
}

const { method, property } = typeMembers<PlayerEndpoint>();

/**
 * The type table of PlayerEndpoint: constructor params `uri` (`useEncodedMedia` and
 * `networkCache` are accepted and ignored), `play`, and the `position` and `videoInfo`
 * properties.
 */
export const PlayerEndpointType = defineType({
  name: 'PlayerEndpoint',
  module: 'elements',
  extends: UriEndpointType,
  constructorParams: {
    mediaPipeline: t.mediaObject<MediaPipeline>('MediaPipeline'),
    uri: t.string,
    /** Always true in effect: media is played as stored (no decoding). */
    useEncodedMedia: t.optional(t.boolean, false),
    /** RTSP buffer length in Kurento; accepted, unused (RTSP sources buffer 200 ms). */
    networkCache: t.optional(t.int, 2000),
  },
  create: ({ mediaPipeline, uri }, init) => new PlayerEndpoint(init, mediaPipeline, uri),
  methods: {
    play: method({}, (player) => player.play()),
  },
  properties: {
    position: property(t.int64, {
      get: (player) => player.positionMs,
      set: (player, position) => player.setPosition(position),
    }),
    videoInfo: property(t.opaque('VideoInfo'), {
      get: async (player) => complexValue('VideoInfo', { ...(await player.getVideoInfo()) }),
    }),
    elementGstreamerDot: property(t.string, {
      get: (player) => `digraph "${player.id}" {}`,
    }),
  },
  events: ['EndOfStream'],
});
