// The typed API of each Kurento object type. `<Type>Methods` lists the remote methods a type adds
// to its parent (schema.ts maps each to its wire parameter names, checked against these
// signatures); `<Type>` is what callers hold. Every remote method returns a Promise.
import type {
  BaseRtpEndpointEvents,
  HttpPostEndpointEvents,
  MediaElementEvents,
  MediaObjectEvents,
  PlayerEndpointEvents,
  RecorderEndpointEvents,
  ServerManagerEvents,
  SessionEndpointEvents,
  UriEndpointEvents,
  WebRtcEndpointEvents,
  ZBarFilterEvents,
} from './events.js';
import type {
  AudioCaps,
  CertificateKeyType,
  ConnectionState,
  FilterType,
  GstreamerDotDetails,
  IceCandidate,
  IceCandidatePair,
  IceConnection,
  MediaProfileSpecType,
  MediaState,
  MediaType,
  OfferOptions,
  RembParams,
  SDES,
  ServerInfo,
  Stats,
  Tag,
  UriEndpointState,
  VideoCaps,
  VideoInfo,
} from './values.js';

export type EventHandler<Payload> = (event: Payload) => void;

/** What every remote object offers besides its remote methods. */
export interface RemoteObject<Events> {
  /** The server's id: `<uuid>_kurento.<Type>`, children `<pipelineId>/<uuid>_kurento.<Type>`. */
  readonly id: string;
  /** The Kurento type name, e.g. `WebRtcEndpoint`. */
  readonly type: string;
  /**
   * Adds a listener. The first listener of an event subscribes on the server, so await the result
   * before triggering what raises the event (e.g. before `gatherCandidates()`). A failed
   * subscription rejects (with MEDIA_OBJECT_EVENT_NOT_SUPPORTED, say) and drops the listener;
   * left unawaited, it fails silently rather than as an unhandled rejection.
   */
  on<E extends keyof Events & string>(event: E, handler: EventHandler<Events[E]>): Promise<void>;
  /** Like `on`, removing the listener after its first call. */
  once<E extends keyof Events & string>(event: E, handler: EventHandler<Events[E]>): Promise<void>;
  /** Removes a listener; removing the last one of an event unsubscribes on the server. */
  off<E extends keyof Events & string>(event: E, handler: EventHandler<Events[E]>): Promise<void>;
  /** Releases the object on the server (a pipeline releases its elements) and drops its listeners. */
  release(): Promise<void>;
}

export interface MediaObjectMethods {
  addTag(key: string, value: string): Promise<void>;
  removeTag(key: string): Promise<void>;
  getTag(key: string): Promise<string>;
  getTags(): Promise<Tag[]>;
  getMediaPipeline(): Promise<MediaPipeline>;
  /** The object this one was created in: its pipeline, or the hub of a HubPort. */
  getParent(): Promise<MediaObject | undefined>;
  getChildren(): Promise<MediaObject[]>;
  getName(): Promise<string>;
  setName(name: string): Promise<void>;
  /** Whether events carry this object's tags (off by default: it makes every event larger). */
  getSendTagsInEvents(): Promise<boolean>;
  setSendTagsInEvents(sendTagsInEvents: boolean): Promise<void>;
  /** Seconds since the epoch at which the server created the object. */
  getCreationTime(): Promise<number>;
}

export interface MediaObject<Events extends MediaObjectEvents = MediaObjectEvents>
  extends RemoteObject<Events>,
    MediaObjectMethods {}

export interface ServerManagerMethods {
  getInfo(): Promise<ServerInfo>;
  /** Every pipeline on the server, whichever session created it. */
  getPipelines(): Promise<MediaPipeline[]>;
  /** Ids of the sessions the server holds. */
  getSessions(): Promise<string[]>;
  getMetadata(): Promise<string>;
  getKmd(moduleName: string): Promise<string>;
  getCpuCount(): Promise<number>;
  /** Average CPU use (0-100) over `interval` milliseconds. */
  getUsedCpu(interval: number): Promise<number>;
  /** Resident memory of the server, in KiB. */
  getUsedMemory(): Promise<number>;
}

/** The server itself (`manager_ServerManager`): one per server, never created or released. */
export interface ServerManager extends MediaObject<ServerManagerEvents>, ServerManagerMethods {}

export interface MediaPipelineMethods {
  getLatencyStats(): Promise<boolean>;
  setLatencyStats(latencyStats: boolean): Promise<void>;
  getGstreamerDot(details?: GstreamerDotDetails): Promise<string>;
}

export interface MediaPipeline extends MediaObject<MediaObjectEvents>, MediaPipelineMethods {
  /** Creates an element in this pipeline. */
  create<T extends ElementTypeName>(
    type: T,
    ...params: ParamsArgument<ElementParams[T]>
  ): Promise<MediaObjectTypes[T]>;
}

/** A connection between two elements, as `getSourceConnections()` returns it. */
export interface ElementConnection {
  source: MediaElement;
  sink: MediaElement;
  type: MediaType;
  sourceDescription: string;
  sinkDescription: string;
}

export interface MediaElementMethods {
  /**
   * Sends this element's media to `sink`: all media types, or only `mediaType`. A sink takes one
   * source per media type, so this replaces the sink's current source of that type.
   */
  connect(
    sink: MediaElement,
    mediaType?: MediaType,
    sourceMediaDescription?: string,
    sinkMediaDescription?: string,
  ): Promise<void>;
  disconnect(
    sink: MediaElement,
    mediaType?: MediaType,
    sourceMediaDescription?: string,
    sinkMediaDescription?: string,
  ): Promise<void>;
  /** Connections feeding this element. */
  getSourceConnections(mediaType?: MediaType, description?: string): Promise<ElementConnection[]>;
  /** Connections this element feeds. */
  getSinkConnections(mediaType?: MediaType, description?: string): Promise<ElementConnection[]>;
  /** Statistics by id; for a WebRtcEndpoint they include the inbound/outbound RTP streams. */
  getStats(mediaType?: MediaType): Promise<Record<string, Stats>>;
  isMediaFlowingIn(mediaType: MediaType, sinkMediaDescription?: string): Promise<boolean>;
  isMediaFlowingOut(mediaType: MediaType, sourceMediaDescription?: string): Promise<boolean>;
  isMediaTranscoding(mediaType: MediaType, binName?: string): Promise<boolean>;
  setAudioFormat(caps: AudioCaps): Promise<void>;
  setVideoFormat(caps: VideoCaps): Promise<void>;
  getGstreamerDot(details?: GstreamerDotDetails): Promise<string>;
  getEncoderBitrate(): Promise<number>;
  setEncoderBitrate(encoderBitrate: number): Promise<void>;
  getMinEncoderBitrate(): Promise<number>;
  setMinEncoderBitrate(minEncoderBitrate: number): Promise<void>;
  getMaxEncoderBitrate(): Promise<number>;
  setMaxEncoderBitrate(maxEncoderBitrate: number): Promise<void>;
}

export interface MediaElement<Events extends MediaElementEvents = MediaElementEvents>
  extends MediaObject<Events>,
    MediaElementMethods {}

export interface PassThrough extends MediaElement<MediaElementEvents> {}

export interface GStreamerFilterMethods {
  /** The gst-launch fragment the filter was created with. */
  getCommand(): Promise<string>;
  /** Sets a property of the command's element while media flows (value as gst-launch writes it). */
  setElementProperty(propertyName: string, propertyValue: string): Promise<void>;
  getElementProperty(propertyName: string): Promise<string>;
}

/** Media of one type through a GStreamer fragment (`videoflip method=horizontal-flip`). */
export interface GStreamerFilter extends MediaElement<MediaElementEvents>, GStreamerFilterMethods {}

/** Reads QR codes and barcodes in the video; raises `CodeFound` once per new code. */
export interface ZBarFilter extends MediaElement<ZBarFilterEvents> {}

export interface FaceOverlayFilterMethods {
  /**
   * Draws the image at `uri` (media root, or an allowed http(s) host) over every face found.
   * Offsets and sizes are ratios of the face's width and height (0 and 1 cover the face).
   */
  setOverlayedImage(
    uri: string,
    offsetXPercent: number,
    offsetYPercent: number,
    widthPercent: number,
    heightPercent: number,
  ): Promise<void>;
  unsetOverlayedImage(): Promise<void>;
}

/** Kurento's magic mirror: an image drawn over each face in the video, following it. */
export interface FaceOverlayFilter
  extends MediaElement<MediaElementEvents>,
    FaceOverlayFilterMethods {}

export interface ImageOverlayFilterMethods {
  /**
   * Shows an image (or replaces the one with the same id); position and size are fractions
   * (0–1) of the frame.
   */
  addImage(
    id: string,
    uri: string,
    offsetXPercent: number,
    offsetYPercent: number,
    widthPercent: number,
    heightPercent: number,
    keepAspectRatio: boolean,
    center: boolean,
  ): Promise<void>;
  removeImage(id: string): Promise<void>;
}

/** Images drawn over the video at fixed places, added and removed by id while it flows. */
export interface ImageOverlayFilter
  extends MediaElement<MediaElementEvents>,
    ImageOverlayFilterMethods {}

export interface HubPort extends MediaElement<MediaElementEvents> {}

/** A hub mixes or routes media between the HubPorts created on it. */
export interface Hub extends MediaObject<MediaObjectEvents> {
  getGstreamerDot(details?: GstreamerDotDetails): Promise<string>;
}

/** An MCU: every port's video in one grid, and each port hears the others' audio mixed. */
export interface Composite extends Hub {}

export interface DispatcherMethods {
  /** Routes the media entering `source` to `sink`. */
  connect(source: HubPort, sink: HubPort): Promise<void>;
}

export interface Dispatcher extends Hub, DispatcherMethods {}

export interface DispatcherOneToManyMethods {
  /** Sends the media entering `source` to every port of the hub, its own included (as KMS does). */
  setSource(source: HubPort): Promise<void>;
  removeSource(): Promise<void>;
}

export interface DispatcherOneToMany extends Hub, DispatcherOneToManyMethods {}

export interface SdpEndpointMethods {
  /** Creates an SDP offer for the remote peer to answer with `processAnswer`. */
  generateOffer(options?: OfferOptions): Promise<string>;
  /** Applies the remote peer's offer and returns this endpoint's answer. */
  processOffer(offer: string): Promise<string>;
  processAnswer(answer: string): Promise<string>;
  getLocalSessionDescriptor(): Promise<string>;
  getRemoteSessionDescriptor(): Promise<string>;
  getMaxAudioRecvBandwidth(): Promise<number>;
  setMaxAudioRecvBandwidth(maxAudioRecvBandwidth: number): Promise<void>;
  getMaxVideoRecvBandwidth(): Promise<number>;
  setMaxVideoRecvBandwidth(maxVideoRecvBandwidth: number): Promise<void>;
}

export interface SdpEndpoint<Events extends SessionEndpointEvents = SessionEndpointEvents>
  extends MediaElement<Events>,
    SdpEndpointMethods {}

export interface BaseRtpEndpointMethods {
  /** Asks the sender of the incoming video for a keyframe (PLI). */
  requestKeyframe(): Promise<void>;
  getMediaState(): Promise<MediaState>;
  getConnectionState(): Promise<ConnectionState>;
  getMinVideoRecvBandwidth(): Promise<number>;
  setMinVideoRecvBandwidth(minVideoRecvBandwidth: number): Promise<void>;
  getMinVideoSendBandwidth(): Promise<number>;
  setMinVideoSendBandwidth(minVideoSendBandwidth: number): Promise<void>;
  getMaxVideoSendBandwidth(): Promise<number>;
  setMaxVideoSendBandwidth(maxVideoSendBandwidth: number): Promise<void>;
  getMtu(): Promise<number>;
  setMtu(mtu: number): Promise<void>;
  getRembParams(): Promise<RembParams>;
  setRembParams(rembParams: RembParams): Promise<void>;
}

export interface BaseRtpEndpoint<Events extends BaseRtpEndpointEvents = BaseRtpEndpointEvents>
  extends SdpEndpoint<Events>,
    BaseRtpEndpointMethods {}

export interface RtpEndpoint extends BaseRtpEndpoint<BaseRtpEndpointEvents> {}

export interface WebRtcEndpointMethods {
  /**
   * Starts ICE gathering. Subscribe to `IceCandidateFound` first (and await the subscription):
   * candidates found before it are not sent again.
   */
  gatherCandidates(): Promise<void>;
  /** Adds a candidate of the remote peer (trickle ICE). */
  addIceCandidate(candidate: IceCandidate): Promise<void>;
  createDataChannel(
    label?: string,
    ordered?: boolean,
    maxPacketLifeTime?: number,
    maxRetransmits?: number,
    protocol?: string,
  ): Promise<void>;
  closeDataChannel(channelId: number): Promise<void>;
  getStunServerAddress(): Promise<string>;
  /** STUN server for server-reflexive candidates; none by default (no public host is contacted). */
  setStunServerAddress(stunServerAddress: string): Promise<void>;
  getStunServerPort(): Promise<number>;
  setStunServerPort(stunServerPort: number): Promise<void>;
  getTurnUrl(): Promise<string>;
  /** `user:password@address:port(?transport=[udp|tcp|tls])` */
  setTurnUrl(turnUrl: string): Promise<void>;
  getExternalIPv4(): Promise<string>;
  setExternalIPv4(externalIPv4: string): Promise<void>;
  getExternalIPv6(): Promise<string>;
  setExternalIPv6(externalIPv6: string): Promise<void>;
  getNetworkInterfaces(): Promise<string>;
  setNetworkInterfaces(networkInterfaces: string): Promise<void>;
  getIceTcp(): Promise<boolean>;
  setIceTcp(iceTcp: boolean): Promise<void>;
  getICECandidatePairs(): Promise<IceCandidatePair[]>;
  getIceConnectionState(): Promise<IceConnection[]>;
}

export interface WebRtcEndpoint
  extends BaseRtpEndpoint<WebRtcEndpointEvents>,
    WebRtcEndpointMethods {}

export interface UriEndpointMethods {
  getUri(): Promise<string>;
  getState(): Promise<UriEndpointState>;
  pause(): Promise<void>;
  stop(): Promise<void>;
}

export interface UriEndpoint<Events extends UriEndpointEvents = UriEndpointEvents>
  extends MediaElement<Events>,
    UriEndpointMethods {}

export interface RecorderEndpointMethods {
  record(): Promise<void>;
  /** Stops and resolves once the file is complete on disk. */
  stopAndWait(): Promise<void>;
}

export interface RecorderEndpoint
  extends UriEndpoint<RecorderEndpointEvents>,
    RecorderEndpointMethods {}

export interface PlayerEndpointMethods {
  play(): Promise<void>;
  getVideoInfo(): Promise<VideoInfo>;
  /** Playback position in milliseconds. */
  getPosition(): Promise<number>;
  setPosition(position: number): Promise<void>;
}

export interface PlayerEndpoint extends UriEndpoint<PlayerEndpointEvents>, PlayerEndpointMethods {}

/** The remote methods of endpoints HTTP clients reach. */
export interface HttpEndpointMethods {
  /**
   * The URL HTTP clients use (an HttpPostEndpoint's: where to POST the media). Medley serves it
   * on the media server's own port at an unguessable path, and answers an empty string once the
   * URL expired.
   */
  getUrl(): Promise<string>;
}

/**
 * An endpoint HTTP clients reach at the URL `getUrl()` gives.
 *
 * @typeParam Events - the events it raises, by name, with their payloads.
 */
export interface HttpEndpoint<Events extends SessionEndpointEvents = SessionEndpointEvents>
  extends MediaElement<Events>,
    HttpEndpointMethods {}

/**
 * Takes media uploaded by HTTP POST to its `getUrl()` (a WebM, MKV or MP4 file as the body, or
 * the file of a `multipart/form-data` form as a browser sends it) and plays it into the
 * pipeline like a PlayerEndpoint; `EndOfStream` tells when it is over. A body that is not media
 * is answered 415 and raises `Error`.
 */
export interface HttpPostEndpoint extends HttpEndpoint<HttpPostEndpointEvents> {}

/** Constructor parameters of each element type, besides the pipeline it is created in. */
export interface ElementParams {
  WebRtcEndpoint: {
    /** Receive only: the answer has no sending tracks. */
    recvonly?: boolean;
    /** Send only: the answer has no receiving tracks. */
    sendonly?: boolean;
    /** Negotiate an SCTP association for data channels. */
    useDataChannels?: boolean;
    certificateKeyType?: CertificateKeyType;
  };
  RtpEndpoint: { crypto?: SDES; useIpv6?: boolean };
  PassThrough: Record<never, never>;
  GStreamerFilter: {
    /** A gst-launch fragment of allowed elements, e.g. `videobalance saturation=0.0`. */
    command: string;
    /** Which media it filters; AUTODETECT (default) asks GStreamer. */
    filterType?: FilterType;
  };
  RecorderEndpoint: {
    /** Where to write, e.g. `file:///tmp/call.webm`. */
    uri: string;
    /** Container and tracks; WEBM (VP8/VP9 + Opus) by default. */
    mediaProfile?: MediaProfileSpecType;
    /** Stop recording when the source reaches its end (a PlayerEndpoint's EndOfStream). */
    stopOnEndOfStream?: boolean;
  };
  PlayerEndpoint: {
    /** What to play, e.g. `file:///videos/intro.webm`. */
    uri: string;
    /** Pass the file's encoded media through without transcoding when the sinks accept it. */
    useEncodedMedia?: boolean;
    networkCache?: number;
  };
  /** Options of an HttpPostEndpoint, all optional. */
  HttpPostEndpoint: {
    /**
     * Seconds the URL waits for a new POST after an upload ended or its connection dropped,
     * before it expires; 2 by default.
     */
    disconnectionTimeout?: number;
    /**
     * Pass the uploaded media on encoded instead of decoding it (Medley always passes it on
     * encoded: the sinks must take the file's codecs).
     */
    useEncodedMedia?: boolean;
  };
  Dispatcher: Record<never, never>;
  DispatcherOneToMany: Record<never, never>;
  Composite: {
    /** Mixed picture size in pixels (even), 800x600 by default. */
    width?: number;
    height?: number;
    /** Frames per second of the mix, 15 by default. */
    framerate?: number;
  };
  FaceOverlayFilter: Record<never, never>;
  ImageOverlayFilter: Record<never, never>;
  ZBarFilter: Record<never, never>;
  HubPort: { hub: Hub };
}

export type ElementTypeName = keyof ElementParams;

/** `[params?]` when every parameter is optional, `[params]` otherwise. */
export type ParamsArgument<Params> =
  Record<never, never> extends Params ? [params?: Params] : [params: Params];

/** The object interface of each type name, for `create` and `getMediaObjectById`. */
export interface MediaObjectTypes {
  MediaObject: MediaObject;
  ServerManager: ServerManager;
  MediaPipeline: MediaPipeline;
  MediaElement: MediaElement;
  Hub: Hub;
  HubPort: HubPort;
  Dispatcher: Dispatcher;
  DispatcherOneToMany: DispatcherOneToMany;
  Composite: Composite;
  FaceOverlayFilter: FaceOverlayFilter;
  ImageOverlayFilter: ImageOverlayFilter;
  ZBarFilter: ZBarFilter;
  PassThrough: PassThrough;
  Filter: MediaElement;
  GStreamerFilter: GStreamerFilter;
  Endpoint: MediaElement;
  SessionEndpoint: MediaElement<SessionEndpointEvents>;
  SdpEndpoint: SdpEndpoint;
  BaseRtpEndpoint: BaseRtpEndpoint;
  RtpEndpoint: RtpEndpoint;
  WebRtcEndpoint: WebRtcEndpoint;
  UriEndpoint: UriEndpoint;
  RecorderEndpoint: RecorderEndpoint;
  PlayerEndpoint: PlayerEndpoint;
  /** Any endpoint HTTP clients reach. */
  HttpEndpoint: HttpEndpoint;
  /** Media uploaded by HTTP POST. */
  HttpPostEndpoint: HttpPostEndpoint;
}

export type MediaObjectTypeName = keyof MediaObjectTypes;
