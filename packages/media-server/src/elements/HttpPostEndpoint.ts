import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes, InvalidParamError } from '../errors.js';
import { signalEndOfStream } from '../graph/endOfStream.js';
import { MediaNode, RTP_MEDIA_TYPES } from '../graph/index.js';
import type { ObjectInit } from '../objects/MediaObject.js';
import { defineType } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import type { Demuxer } from '../playback/DemuxedMedia.js';
import type { MediaFileError } from '../playback/errors.js';
import { MediaUpload } from '../playback/MediaUpload.js';
import { Playback } from '../playback/Playback.js';
import type { HttpEndpointRoute } from '../server/HttpEndpointRoutes.js';
import { HttpEndpointType } from './HttpEndpoint.js';
import { MediaElement } from './MediaElement.js';
import type { MediaPipeline } from './MediaPipeline.js';

/**
 * The largest upload taken in a container read whole (MP4): it is held in memory while it
 * plays. WebM and Matroska are read as they arrive and have no limit.
 */
export const MAX_HTTP_POST_BYTES = 256 * 1024 * 1024;
/** Kurento's limit on `disconnectionTimeout` is none; a day keeps a timer's range sane. */
const MAX_DISCONNECTION_TIMEOUT_S = 24 * 60 * 60;

/** Options of an HttpPostEndpoint, as Kurento's constructor takes them. */
export interface HttpPostEndpointOptions {
  /**
   * Seconds the URL keeps accepting a new POST after an upload ended or its connection was
   * lost; then it expires (404, MediaSessionTerminated). Kurento's default is 2.
   */
  readonly disconnectionTimeout: number;
  /**
   * Kurento's switch between decoding the upload and passing it on as it is. Medley never
   * decodes: the media always goes on encoded, so a sink must take the file's codecs.
   */
  readonly useEncodedMedia: boolean;
}

/**
 * Kurento's HttpPostEndpoint: media uploaded with an HTTP POST to the URL `getUrl` gives (on the
 * media server's own listener, an unguessable path per endpoint) is played into the pipeline as
 * a PlayerEndpoint plays a file: WebM/MKV (VP8, VP9 or H.264, Opus) or MP4, sent as it is
 * stored, in real time, then EndOfStream. The body may be the file itself or, as a browser form
 * sends it, `multipart/form-data` whose first file part is the media (see MediaUpload).
 *
 * WebM and Matroska play as they arrive (a chunked upload from a live source plays live); MP4
 * is read whole first (up to MAX_HTTP_POST_BYTES). The POST is answered 200 once its body was
 * read; a body that is not media is answered 415 and raises Error (40005). A POST while another
 * is being read is answered 409. After an upload ends, or its connection is lost, the URL takes
 * a new POST for `disconnectionTimeout` seconds, then expires: 404 from then on, `getUrl`
 * answers an empty string, and MediaSessionTerminated is raised. Other methods get 405 (OPTIONS
 * gets the CORS answer browsers ask for).
 */
export class HttpPostEndpoint extends MediaElement {
  /** How long the URL waits for a new POST after an upload, in milliseconds. */
  readonly disconnectionTimeoutMs: number;
  readonly #route: HttpEndpointRoute;
  #expired = false;
  #expiry: NodeJS.Timeout | undefined;
  #receiving: IncomingMessage | undefined;
  #playback: Playback | undefined;
  #sessionStarted = false;

  constructor(init: ObjectInit, pipeline: MediaPipeline, options: HttpPostEndpointOptions) {
    const timeout = options.disconnectionTimeout;
    if (!Number.isInteger(timeout) || timeout < 0 || timeout > MAX_DISCONNECTION_TIMEOUT_S) {
      throw new InvalidParamError(
        `disconnectionTimeout must be whole seconds from 0 to ${MAX_DISCONNECTION_TIMEOUT_S}, got ${timeout}`,
      );
    }
    super(init, pipeline, new MediaNode({ name: 'HttpPostEndpoint' }));
    this.disconnectionTimeoutMs = timeout * 1000;
    this.#route = init.context.httpEndpoints.register((request, response) =>
      this.#onRequest(request, response),
    );
    this.node.source('VIDEO').onKeyframeRequest = () => this.#playback?.requestKeyframe();
  }

  /** Where to POST the media; empty once the URL expired. */
  get url(): string {
    return this.#expired || this.released ? '' : this.#route.url;
  }

  protected override async onRelease(): Promise<void> {
    this.#route.close();
    clearTimeout(this.#expiry);
    this.#receiving?.destroy();
    await this.#playback?.close();
    await super.onRelease();
  }

  #onRequest(request: IncomingMessage, response: ServerResponse): void {
    response.setHeader('Access-Control-Allow-Origin', '*');
    if (request.method === 'OPTIONS') {
      request.resume();
      response.writeHead(204, {
        Allow: 'POST, OPTIONS',
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': 'Content-Type',
      });
      response.end();
      return;
    }
    if (request.method !== 'POST') {
      refuse(request, response, 405, 'Upload the media with POST.', { Allow: 'POST, OPTIONS' });
      return;
    }
    if (this.#receiving) {
      refuse(request, response, 409, 'Another upload to this endpoint is in progress.');
      return;
    }
    clearTimeout(this.#expiry);
    this.#receive(request, response);
  }

  #receive(request: IncomingMessage, response: ServerResponse): void {
    this.#receiving = request;
    if (!this.#sessionStarted) {
      this.#sessionStarted = true;
      this.emitEvent('MediaSessionStarted');
    }
    const upload = new MediaUpload(request, MAX_HTTP_POST_BYTES);
    upload.demuxer.then(
      (demuxer) => this.#play(demuxer),
      (error: MediaFileError) => {
        if (error.code === 'UNREADABLE') return; // cut short before any media: nothing to say
        if (upload.outcome === 'too large') answer(response, 413, `${error.message}.\n`);
        else answer(response, 415, `Not playable media: ${error.message}.\n`);
        this.#reportError(error);
      },
    );
    void Promise.all([upload.finished, upload.demuxer.catch(() => undefined)]).then(([outcome]) => {
      if (this.#receiving === request) this.#receiving = undefined;
      this.#startExpiry();
      if (outcome === 'complete') answer(response, 200, 'OK\n');
      else if (outcome === 'cut short') this.logger.info('an upload was cut short');
      else answer(response, 415, 'Not playable media.\n'); // a WebM stream broken midway
    });
  }

  async #play(demuxer: Demuxer): Promise<void> {
    if (this.released) {
      await demuxer.close();
      return;
    }
    const playback: Playback = new Playback(demuxer, {
      onPacket: (kind, packet) =>
        this.node.source(kind === 'video' ? 'VIDEO' : 'AUDIO').pushRtp(packet),
      onEndOfStream: () => this.#onEndOfStream(playback),
      onError: (error) => this.#reportError(error),
    });
    const previous = this.#playback;
    this.#playback = playback;
    await previous?.close();
    playback.play();
  }

  #onEndOfStream(playback: Playback): void {
    if (this.#playback !== playback) return;
    for (const mediaType of RTP_MEDIA_TYPES) signalEndOfStream(this.node.source(mediaType));
    this.emitEvent('EndOfStream');
  }

  #reportError(error: MediaFileError): void {
    this.emitEvent('Error', {
      description: `HttpPostEndpoint cannot play the upload: ${error.message}. POST a WebM, MKV or MP4 file (VP8, VP9 or H.264 video, Opus audio), as the body or as the file of a multipart/form-data form.`,
      errorCode: ErrorCodes.UNSUPPORTED_MEDIA_TYPE,
      type: 'UNSUPPORTED_MEDIA',
    });
  }

  /** The URL takes a new POST for disconnectionTimeout, then expires. */
  #startExpiry(): void {
    clearTimeout(this.#expiry);
    if (this.released || this.#expired) return;
    this.#expiry = setTimeout(() => {
      this.#expired = true;
      this.#route.close();
      this.emitEvent('MediaSessionTerminated');
    }, this.disconnectionTimeoutMs);
    this.#expiry.unref();
  }
}

function answer(response: ServerResponse, status: number, body: string): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, { 'Content-Type': 'text/plain' });
  response.end(body);
}

function refuse(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  request.resume();
  if (response.headersSent) return;
  response.writeHead(status, { 'Content-Type': 'text/plain', Connection: 'close', ...headers });
  response.end(`${message}\n`);
}

/** HttpPostEndpoint's descriptor: its constructor parameters and events, as Kurento's kmd. */
export const HttpPostEndpointType = defineType({
  name: 'HttpPostEndpoint',
  module: 'elements',
  extends: HttpEndpointType,
  constructorParams: {
    mediaPipeline: t.mediaObject<MediaPipeline>('MediaPipeline'),
    disconnectionTimeout: t.optional(t.int, 2),
    useEncodedMedia: t.optional(t.boolean, false),
  },
  create: ({ mediaPipeline, disconnectionTimeout, useEncodedMedia }, init) =>
    new HttpPostEndpoint(init, mediaPipeline, { disconnectionTimeout, useEncodedMedia }),
  events: ['EndOfStream'],
});
