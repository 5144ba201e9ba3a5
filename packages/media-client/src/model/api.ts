// The typed API of each Kurento object type. `<Type>Methods` lists the remote methods a type adds
// to its parent (schema.ts maps each to its wire parameter names, checked against these
// signatures); `<Type>` is what callers hold. Every remote method returns a Promise, which
// rejects with a MediaServerError (its `code` a Kurento error name) when the server refuses the
// call. The doc comments give Kurento's meaning (its module descriptors), and say where a
// Medley media server differs.
import type {
  BaseRtpEndpointEvents,
  CrowdDetectorFilterEvents,
  HttpPostEndpointEvents,
  MediaElementEvents,
  MediaObjectEvents,
  PlateDetectorFilterEvents,
  PlayerEndpointEvents,
  PointerDetectorFilterEvents,
  RecorderEndpointEvents,
  ServerManagerEvents,
  SessionEndpointEvents,
  UriEndpointEvents,
  WebRtcEndpointEvents,
  ZBarFilterEvents,
} from './events.js';
import type { Stats } from './stats.js';
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
  PointerDetectorWindowMediaParam,
  RegionOfInterest,
  RembParams,
  SDES,
  ServerInfo,
  Tag,
  UriEndpointState,
  VideoCaps,
  VideoInfo,
  WindowParam,
} from './values.js';

/** A listener of one event, called with the event's payload. */
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

/** The remote methods of every object: tags, name, family, creation time. */
export interface MediaObjectMethods {
  /**
   * Attaches application data to the object (a user id, a room name), or replaces the value of
   * a key it has already.
   */
  addTag(key: string, value: string): Promise<void>;
  /** Removes a tag; a key the object does not have is no error. */
  removeTag(key: string): Promise<void>;
  /** The value of a tag. Rejects with MEDIA_OBJECT_TAG_KEY_NOT_FOUND when the key is not set. */
  getTag(key: string): Promise<string>;
  /** Every tag of the object. */
  getTags(): Promise<Tag[]>;
  /** The pipeline the object belongs to; a pipeline returns itself. */
  getMediaPipeline(): Promise<MediaPipeline>;
  /** The object this one was created in: its pipeline, or the hub of a HubPort. */
  getParent(): Promise<MediaObject | undefined>;
  /** The objects created in this one: a pipeline's elements and hubs, a hub's ports. */
  getChildren(): Promise<MediaObject[]>;
  /**
   * A name for people reading logs and graphs; the object's id until `setName` gives one. The
   * server finds objects by id only.
   */
  getName(): Promise<string>;
  /** Gives the object a name for logs and graphs (it need not be unique). */
  setName(name: string): Promise<void>;
  /** Whether events carry this object's tags (off by default: it makes every event larger). */
  getSendTagsInEvents(): Promise<boolean>;
  /** Makes the events this object raises carry its tags (`MediaEvent.tags`), or stop. */
  setSendTagsInEvents(sendTagsInEvents: boolean): Promise<void>;
  /** Seconds since the epoch at which the server created the object. */
  getCreationTime(): Promise<number>;
}

/**
 * Any object on the server, the base of every type. Subscribe to its `Error` event: Kurento
 * reports failures that happen after a call returned only there.
 *
 * @typeParam Events - the events it raises, by name, with their payloads.
 */
export interface MediaObject<Events extends MediaObjectEvents = MediaObjectEvents>
  extends RemoteObject<Events>,
    MediaObjectMethods {}

/** The remote methods of the ServerManager. */
export interface ServerManagerMethods {
  /** The server's version, its modules and the types each creates, its capabilities. */
  getInfo(): Promise<ServerInfo>;
  /** Every pipeline on the server, whichever session created it. */
  getPipelines(): Promise<MediaPipeline[]>;
  /** Ids of the sessions the server holds. */
  getSessions(): Promise<string[]>;
  /** Free-form text the server was configured with (Medley answers `medley-media-server`). */
  getMetadata(): Promise<string>;
  /**
   * The module descriptor (kmd.json text: its types, methods, events) of a module such as
   * `core`, `elements` or `filters`. Rejects with SERVER_MANAGER_ERROR_KMD_NOT_FOUND for a
   * module the server does not have.
   */
  getKmd(moduleName: string): Promise<string>;
  /** The logical CPU cores the server may use (fewer than the machine's under a CPU affinity). */
  getCpuCount(): Promise<number>;
  /**
   * Average CPU use (0-100, of all the cores the server may use) over `interval` milliseconds:
   * the server measures for that long before it answers, so keep it under the request timeout
   * (Kurento suggests 1000 to 10000; Medley caps it at 10000).
   */
  getUsedCpu(interval: number): Promise<number>;
  /** Resident memory of the server, in KiB. */
  getUsedMemory(): Promise<number>;
}

/** The server itself (`manager_ServerManager`): one per server, never created or released. */
export interface ServerManager extends MediaObject<ServerManagerEvents>, ServerManagerMethods {}

/** The remote methods of a MediaPipeline. */
export interface MediaPipelineMethods {
  /** Whether the pipeline measures the latency of its elements (reported in their stats). */
  getLatencyStats(): Promise<boolean>;
  /** Turns the latency measurement of the pipeline's elements on or off (off by default). */
  setLatencyStats(latencyStats: boolean): Promise<void>;
  /**
   * The pipeline's graph in Graphviz DOT, for debugging: in Kurento its GStreamer elements; in
   * Medley its elements, whatever `details` asks for.
   */
  getGstreamerDot(details?: GstreamerDotDetails): Promise<string>;
}

/**
 * A container of elements, the first object a call creates: elements are created in it and
 * connect only to elements of the same pipeline. Releasing it releases them all.
 */
export interface MediaPipeline extends MediaObject<MediaObjectEvents>, MediaPipelineMethods {
  /** Creates an element in this pipeline. */
  create<T extends ElementTypeName>(
    type: T,
    ...params: ParamsArgument<ElementParams[T]>
  ): Promise<MediaObjectTypes[T]>;
}

/** A connection between two elements, as `getSourceConnections()` returns it. */
export interface ElementConnection {
  /** The element that sends the media. */
  source: MediaElement;
  /** The element that receives it. */
  sink: MediaElement;
  /** The media type the connection carries. */
  type: MediaType;
  /** The description of the source's pad (Kurento uses it for DATA only; usually empty). */
  sourceDescription: string;
  /** The description of the sink's pad (Kurento uses it for DATA only; usually empty). */
  sinkDescription: string;
}

/**
 * The remote methods of every media element: connections, media flow, stats and encoding
 * bitrates.
 */
export interface MediaElementMethods {
  /**
   * Sends this element's media to `sink`: all media types, or only `mediaType`. A sink takes one
   * source per media type, so this replaces the sink's current source of that type. Media goes
   * one way: a two-party call connects each endpoint to the other. Rejects with CONNECT_ERROR
   * when the two cannot be linked (on Medley, e.g. no codec in common while transcoding is off).
   */
  connect(
    sink: MediaElement,
    mediaType?: MediaType,
    sourceMediaDescription?: string,
    sinkMediaDescription?: string,
  ): Promise<void>;
  /** Stops sending this element's media to `sink`: all media types, or only `mediaType`. */
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
  /**
   * Kurento's statistics of this element by id (narrow each entry on `type`): the element's own
   * entry (`element`, or `endpoint` with E2E latencies), and for a WebRtcEndpoint its RTP
   * streams, tracks, codecs, ICE candidates and pairs, transport, certificates, session and
   * data channels. With `mediaType`, the other media's entries are left out.
   */
  getStats(mediaType?: MediaType): Promise<Record<string, Stats>>;
  /**
   * Whether media of `mediaType` is arriving at this element now (false when it has no such
   * pad). AUDIO and VIDEO only: Kurento rejects DATA with MEDIA_OBJECT_ILLEGAL_PARAM_ERROR.
   */
  isMediaFlowingIn(mediaType: MediaType, sinkMediaDescription?: string): Promise<boolean>;
  /**
   * Whether this element is sending media of `mediaType` now (false when it has no such pad).
   * AUDIO and VIDEO only: Kurento rejects DATA with MEDIA_OBJECT_ILLEGAL_PARAM_ERROR.
   */
  isMediaFlowingOut(mediaType: MediaType, sourceMediaDescription?: string): Promise<boolean>;
  /**
   * Whether this element transcodes media of `mediaType` between its input and its output; a
   * `binName` from `MediaTranscodingStateChanged` asks about that bin only (false if there is
   * none of that name). AUDIO and VIDEO only: Kurento rejects DATA with
   * MEDIA_OBJECT_ILLEGAL_PARAM_ERROR.
   */
  isMediaTranscoding(mediaType: MediaType, binName?: string): Promise<boolean>;
  /**
   * Sets the audio format of the element's stream. Kurento accepts it without acting on it, or
   * rejects with MEDIA_OBJECT_ILLEGAL_PARAM_ERROR; Medley rejects it with
   * MEDIA_OBJECT_METHOD_NOT_FOUND.
   */
  setAudioFormat(caps: AudioCaps): Promise<void>;
  /**
   * Sets the video format of the element's stream. Kurento accepts it without acting on it, or
   * rejects with MEDIA_OBJECT_ILLEGAL_PARAM_ERROR; Medley rejects it with
   * MEDIA_OBJECT_METHOD_NOT_FOUND.
   */
  setVideoFormat(caps: VideoCaps): Promise<void>;
  /**
   * The element's internal graph in Graphviz DOT, for debugging: in Kurento its GStreamer
   * elements; empty in Medley, which runs no GStreamer pipeline per element.
   */
  getGstreamerDot(details?: GstreamerDotDetails): Promise<string>;
  /**
   * The average video bitrate, in bits per second, the element encodes at when it transcodes
   * (a RecorderEndpoint or RtpEndpoint re-encoding its input, say); Kurento's default 300000.
   */
  getEncoderBitrate(): Promise<number>;
  /**
   * Sets the transcoding bitrate, in bits per second; only before media starts to flow. Leave
   * a WebRtcEndpoint's alone: its receivers' feedback already sets it.
   */
  setEncoderBitrate(encoderBitrate: number): Promise<void>;
  /** The lowest bitrate, in bits per second, the encoder may go down to; 0 by default. */
  getMinEncoderBitrate(): Promise<number>;
  /**
   * Sets the lowest encoding bitrate, in bits per second (to hold quality up against what
   * receivers ask for); only before media starts to flow.
   */
  setMinEncoderBitrate(minEncoderBitrate: number): Promise<void>;
  /** The highest bitrate, in bits per second, the encoder may use; 0 (the default) for no cap. */
  getMaxEncoderBitrate(): Promise<number>;
  /**
   * Caps the encoding bitrate, in bits per second, 0 for no cap (to bound the server's total
   * output, say); only before media starts to flow.
   */
  setMaxEncoderBitrate(maxEncoderBitrate: number): Promise<void>;
}

/**
 * The building block of a pipeline: an object with sinks (media in) and sources (media out) per
 * media type, linked to other elements with `connect`. An element takes media from one source
 * per media type at a time and may feed any number of sinks. Elements whose input and output
 * codecs differ transcode, which costs CPU (`MediaTranscodingStateChanged` tells).
 *
 * @typeParam Events - the events it raises, by name, with their payloads.
 */
export interface MediaElement<Events extends MediaElementEvents = MediaElementEvents>
  extends MediaObject<Events>,
    MediaElementMethods {}

/**
 * An element that passes its media on unchanged: one point to connect many sinks to, or to
 * switch the source behind without touching them.
 */
export interface PassThrough extends MediaElement<MediaElementEvents> {}

/** The remote methods of a GStreamerFilter. */
export interface GStreamerFilterMethods {
  /** The gst-launch fragment the filter was created with. */
  getCommand(): Promise<string>;
  /**
   * Sets a property of the command's element while media flows (value as gst-launch writes it).
   * On Medley it rejects with MEDIA_OBJECT_ILLEGAL_PARAM_ERROR for a property no element of the
   * command has, a bad value or a read-only property, and with MEDIA_OBJECT_NOT_AVAILABLE before
   * the first media reached the filter (its GStreamer process starts then).
   */
  setElementProperty(propertyName: string, propertyValue: string): Promise<void>;
  /**
   * Reads a property of the command's element, as gst-launch would write it; rejects as
   * `setElementProperty` does. A Medley addition: Kurento's GStreamerFilter has no such method
   * (MEDIA_OBJECT_METHOD_NOT_FOUND there).
   */
  getElementProperty(propertyName: string): Promise<string>;
}

/** Media of one type through a GStreamer fragment (`videoflip method=horizontal-flip`). */
export interface GStreamerFilter extends MediaElement<MediaElementEvents>, GStreamerFilterMethods {}

/** Reads QR codes and barcodes in the video; raises `CodeFound` once per new code. */
export interface ZBarFilter extends MediaElement<ZBarFilterEvents> {}

/** The remote methods of a ChromaFilter. */
export interface ChromaFilterMethods {
  /**
   * Replaces the pixels of the key colour by the image at `uri` (media root, or an allowed
   * http(s) host), scaled to the frame. Rejects with MEDIA_OBJECT_ILLEGAL_PARAM_ERROR for a URI
   * the server may not read or a file that is not an image.
   */
  setBackground(uri: string): Promise<void>;
  /** Stops replacing the key colour: the video passes unchanged. */
  unsetBackground(): Promise<void>;
}

/**
 * Kurento's chroma key (module `chroma`): the key colour is learnt from the `window` over the
 * first 60 frames (which show the window's outline), then replaced by the background image.
 */
export interface ChromaFilter extends MediaElement<MediaElementEvents>, ChromaFilterMethods {}

/** The remote methods of a PointerDetectorFilter. */
export interface PointerDetectorFilterMethods {
  /**
   * Adds a window, or replaces the one with the same id. Rejects with
   * MEDIA_OBJECT_ILLEGAL_PARAM_ERROR for a window smaller than 1x1 pixels or left of or above
   * the frame.
   */
  addWindow(window: PointerDetectorWindowMediaParam): Promise<void>;
  /** Removes a window; rejects with MEDIA_OBJECT_ILLEGAL_PARAM_ERROR for an unknown id. */
  removeWindow(windowId: string): Promise<void>;
  /** Removes every window. */
  clearWindows(): Promise<void>;
  /** Takes the colour in the calibration region, on the next frame, as the pointer's colour. */
  trackColorFromCalibrationRegion(): Promise<void>;
}

/**
 * Kurento's pointer detector (module `pointerdetector`): follows a coloured pointer, learnt
 * from the calibration region, and raises `WindowIn`/`WindowOut` as its centre enters and
 * leaves the windows.
 */
export interface PointerDetectorFilter
  extends MediaElement<PointerDetectorFilterEvents>,
    PointerDetectorFilterMethods {}

/** The remote methods of a CrowdDetectorFilter. */
export interface CrowdDetectorFilterMethods {
  /** The width in pixels frames are scaled down to before they are analysed (320 by default). */
  getProcessingWidth(): Promise<number>;
  /**
   * Changes the analysis width (16 to 1920); the background is learnt again. Rejects with
   * MEDIA_OBJECT_ILLEGAL_PARAM_ERROR out of range.
   */
  setProcessingWidth(processingWidth: number): Promise<void>;
}

/**
 * Kurento's crowd detector (module `crowddetector`): per region of interest, occupancy,
 * fluidity and direction events.
 */
export interface CrowdDetectorFilter
  extends MediaElement<CrowdDetectorFilterEvents>,
    CrowdDetectorFilterMethods {}

/** The remote methods of a PlateDetectorFilter. */
export interface PlateDetectorFilterMethods {
  /**
   * Sets the plates' expected width as a fraction of the frame's width, above 0 and at most 1
   * (Kurento's name says percentage; 0.3 is 30 %). Plates from half to twice that width are read.
   */
  setPlateWidthPercentage(plateWidthPercentage: number): Promise<void>;
}

/**
 * Kurento's licence plate reader (module `platedetector`): `PlateDetected` with the text of a
 * plate in view (Medley reads it with Tesseract OCR).
 */
export interface PlateDetectorFilter
  extends MediaElement<PlateDetectorFilterEvents>,
    PlateDetectorFilterMethods {}

/** The remote methods of a FaceOverlayFilter. */
export interface FaceOverlayFilterMethods {
  /**
   * Draws the image at `uri` (media root, or an allowed http(s) host) over every face found.
   * Offsets and sizes are ratios of the face's width and height (0 and 1 cover the face).
   * Rejects with MEDIA_OBJECT_ILLEGAL_PARAM_ERROR for a URI the server may not read, a file
   * that is not an image, or a ratio out of range.
   */
  setOverlayedImage(
    uri: string,
    offsetXPercent: number,
    offsetYPercent: number,
    widthPercent: number,
    heightPercent: number,
  ): Promise<void>;
  /** Stops drawing over the faces; the video passes unchanged. */
  unsetOverlayedImage(): Promise<void>;
}

/** Kurento's magic mirror: an image drawn over each face in the video, following it. */
export interface FaceOverlayFilter
  extends MediaElement<MediaElementEvents>,
    FaceOverlayFilterMethods {}

/** The remote methods of an ImageOverlayFilter. */
export interface ImageOverlayFilterMethods {
  /**
   * Shows an image (or replaces the one with the same id); position and size are fractions
   * (0–1) of the frame. `keepAspectRatio` fits the image inside that box without distorting
   * it, and `center` centres it there. Rejects with MEDIA_OBJECT_ILLEGAL_PARAM_ERROR for an
   * empty id, a URI the server may not read, a file that is not an image, or a fraction out of
   * range.
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
  /**
   * Takes away the image added with this id. Medley rejects an id it does not show with
   * MEDIA_OBJECT_ILLEGAL_PARAM_ERROR.
   */
  removeImage(id: string): Promise<void>;
}

/** Images drawn over the video at fixed places, added and removed by id while it flows. */
export interface ImageOverlayFilter
  extends MediaElement<MediaElementEvents>,
    ImageOverlayFilterMethods {}

/**
 * One participant's connection to a hub: connect an endpoint to the port to feed the hub, and
 * the port to the endpoint to receive what the hub makes for it. Created with `{ hub }`.
 */
export interface HubPort extends MediaElement<MediaElementEvents> {}

/** A hub mixes or routes media between the HubPorts created on it. */
export interface Hub extends MediaObject<MediaObjectEvents> {
  /**
   * The hub's graph in Graphviz DOT, for debugging: in Kurento its GStreamer elements; in
   * Medley its ports and the routes between them.
   */
  getGstreamerDot(details?: GstreamerDotDetails): Promise<string>;
}

/** An MCU: every port's video in one grid, and each port hears the others' audio mixed. */
export interface Composite extends Hub {}

/** The remote methods of a Dispatcher. */
export interface DispatcherMethods {
  /** Routes the media entering `source` to `sink`. */
  connect(source: HubPort, sink: HubPort): Promise<void>;
}

/** A hub that routes between any pairs of its ports, as `connect(source, sink)` says. */
export interface Dispatcher extends Hub, DispatcherMethods {}

/** The remote methods of a DispatcherOneToMany. */
export interface DispatcherOneToManyMethods {
  /** Sends the media entering `source` to every port of the hub, its own included (as KMS does). */
  setSource(source: HubPort): Promise<void>;
  /** Stops sending the source's media to the ports; they receive nothing until the next source. */
  removeSource(): Promise<void>;
}

/** A hub that sends one port's media, the source, to all its ports: a broadcast or a switch. */
export interface DispatcherOneToMany extends Hub, DispatcherOneToManyMethods {}

/**
 * The remote methods of endpoints negotiated by an SDP offer and answer. An endpoint negotiates
 * once: to renegotiate, or after a failure, create a new one.
 */
export interface SdpEndpointMethods {
  /**
   * Creates an SDP offer for the remote peer to answer with `processAnswer`. Rejects with
   * SDP_END_POINT_ALREADY_NEGOTIATED on an endpoint that negotiated already, or
   * SDP_END_POINT_GENERATE_OFFER_ERROR when no offer could be made.
   */
  generateOffer(options?: OfferOptions): Promise<string>;
  /**
   * Applies the remote peer's offer and returns this endpoint's answer (with no codecs where
   * none matched, in Kurento). Rejects with SDP_PARSE_ERROR for an empty or malformed offer,
   * SDP_END_POINT_ALREADY_NEGOTIATED on an endpoint that negotiated already, and
   * SDP_END_POINT_PROCESS_OFFER_ERROR when no answer could be made (on Medley: no codec in
   * common).
   */
  processOffer(offer: string): Promise<string>;
  /**
   * Applies the remote peer's answer to this endpoint's offer and returns the local SDP, updated
   * by the answer. Rejects with SDP_END_POINT_NOT_OFFER_GENERATED without a previous
   * `generateOffer`, SDP_PARSE_ERROR for an empty or malformed answer,
   * SDP_END_POINT_ALREADY_NEGOTIATED for a second answer (Medley:
   * SDP_END_POINT_ANSWER_ALREADY_PROCCESED), or SDP_END_POINT_PROCESS_ANSWER_ERROR.
   */
  processAnswer(answer: string): Promise<string>;
  /**
   * This endpoint's SDP: its offer, or once negotiated the agreed description. Before any
   * offer Kurento answers null and Medley rejects with SDP_END_POINT_NO_LOCAL_SDP_ERROR.
   */
  getLocalSessionDescriptor(): Promise<string>;
  /**
   * The peer's SDP, offer or answer. Before one was processed Kurento answers null and Medley
   * rejects with SDP_END_POINT_NO_REMOTE_SDP_ERROR.
   */
  getRemoteSessionDescriptor(): Promise<string>;
  /** The most audio this endpoint asks to receive, in kbps; 0 (the default) for no limit. */
  getMaxAudioRecvBandwidth(): Promise<number>;
  /**
   * Sets the most audio to receive, in kbps (0: no limit). Kurento writes it into its SDP
   * (`b=AS`) and its REMB estimates; Medley stores it without applying it.
   */
  setMaxAudioRecvBandwidth(maxAudioRecvBandwidth: number): Promise<void>;
  /** The most video this endpoint asks to receive, in kbps; 0 (the default) for no limit. */
  getMaxVideoRecvBandwidth(): Promise<number>;
  /**
   * Sets the most video to receive, in kbps (0: no limit). Kurento writes it into its SDP
   * (`b=AS`) and its REMB estimates; Medley stores it without applying it.
   */
  setMaxVideoRecvBandwidth(maxVideoRecvBandwidth: number): Promise<void>;
}

/**
 * An endpoint negotiated by SDP offer and answer: the base of the RTP endpoints.
 *
 * @typeParam Events - the events it raises, by name, with their payloads.
 */
export interface SdpEndpoint<Events extends SessionEndpointEvents = SessionEndpointEvents>
  extends MediaElement<Events>,
    SdpEndpointMethods {}

/**
 * The remote methods of the RTP endpoints: their connection and media state, and the
 * bandwidths and congestion control of the video they send and receive. Medley stores the
 * bandwidths and MTU and reads them back without applying them (media is forwarded at the
 * bitrate and in the packets it arrived in), and has no REMB parameters.
 */
export interface BaseRtpEndpointMethods {
  /**
   * Asks for a keyframe: Kurento asks upstream in the pipeline, towards the producer of the
   * video this endpoint sends; Medley asks this endpoint's peer (an RTCP PLI), the sender of the
   * video it receives.
   */
  requestKeyframe(): Promise<void>;
  /** Whether the media session is up, judged by its RTCP flow; see {@link MediaState}. */
  getMediaState(): Promise<MediaState>;
  /** Whether the connection to the remote peer is up; see {@link ConnectionState}. */
  getConnectionState(): Promise<ConnectionState>;
  /**
   * The least video bitrate, in kbps, this endpoint asks its senders for in its REMB estimates;
   * 0 by default (Kurento never asks for less than 30).
   */
  getMinVideoRecvBandwidth(): Promise<number>;
  /** Sets the least video bitrate to ask senders for, in kbps (REMB senders only). */
  setMinVideoRecvBandwidth(minVideoRecvBandwidth: number): Promise<void>;
  /**
   * The bitrate, in kbps, the video this endpoint sends may drop to when the network worsens;
   * Kurento's default is 100, and 0 lets it drop as far as needed.
   */
  getMinVideoSendBandwidth(): Promise<number>;
  /**
   * Sets the floor of the video bitrate sent, in kbps (0: none). Set too high, the stream cannot
   * adapt to a congested network.
   */
  setMinVideoSendBandwidth(minVideoSendBandwidth: number): Promise<void>;
  /**
   * The most video bitrate, in kbps, this endpoint sends; Kurento's default 500 is low, most
   * applications want some 2000. 0 means no cap. A lower limit the peer announces wins.
   */
  getMaxVideoSendBandwidth(): Promise<number>;
  /** Sets the cap of the video bitrate sent, in kbps (0: no cap). */
  setMaxVideoSendBandwidth(maxVideoSendBandwidth: number): Promise<void>;
  /** The largest RTP packet this endpoint sends, in bytes; 1200 by default, as in browsers. */
  getMtu(): Promise<number>;
  /** Sets the largest RTP packet, in bytes; change it only for a network known to need it. */
  setMtu(mtu: number): Promise<void>;
  /**
   * The tuning of the REMB congestion control (see {@link RembParams}); Medley rejects it with
   * MEDIA_OBJECT_METHOD_NOT_FOUND.
   */
  getRembParams(): Promise<RembParams>;
  /**
   * Tunes the REMB congestion control, fields left out taking their defaults; Medley rejects
   * it with MEDIA_OBJECT_METHOD_NOT_FOUND.
   */
  setRembParams(rembParams: RembParams): Promise<void>;
}

/**
 * An endpoint that exchanges RTP with a remote peer: the base of WebRtcEndpoint and
 * RtpEndpoint. Its connection state (`ConnectionStateChanged`) says whether the transport is
 * up; its media state (`MediaStateChanged`) whether the RTP session is, judged by RTCP.
 *
 * @typeParam Events - the events it raises, by name, with their payloads.
 */
export interface BaseRtpEndpoint<Events extends BaseRtpEndpointEvents = BaseRtpEndpointEvents>
  extends SdpEndpoint<Events>,
    BaseRtpEndpointMethods {}

/**
 * Plain RTP (or SDES-SRTP with `crypto`) to a peer that is not a browser: ffmpeg, GStreamer, a
 * SIP gateway. Negotiated by SDP like a WebRtcEndpoint, without ICE or DTLS.
 */
export interface RtpEndpoint extends BaseRtpEndpoint<BaseRtpEndpointEvents> {}

/** The remote methods of a WebRtcEndpoint: ICE, data channels and the server's addresses. */
export interface WebRtcEndpointMethods {
  /**
   * Starts ICE gathering. Subscribe to `IceCandidateFound` first (and await the subscription):
   * candidates found before it are not sent again. `IceGatheringDone` follows the last one.
   */
  gatherCandidates(): Promise<void>;
  /**
   * Adds a candidate of the remote peer (trickle ICE). Rejects with ICE_ADD_CANDIDATE_ERROR for
   * a malformed candidate or one of a media section the endpoint does not have.
   */
  addIceCandidate(candidate: IceCandidate): Promise<void>;
  /**
   * Opens a data channel to the peer. Needs `useDataChannels` at creation and data channels in
   * the negotiated SDP; otherwise it rejects (Medley: MEDIA_OBJECT_NOT_AVAILABLE).
   * `DataChannelOpened` gives its id once it is open. Reliable and ordered by default; a
   * `maxPacketLifeTime` (ms) or `maxRetransmits` makes it partially reliable; -1 leaves either
   * unset.
   */
  createDataChannel(
    label?: string,
    ordered?: boolean,
    maxPacketLifeTime?: number,
    maxRetransmits?: number,
    protocol?: string,
  ): Promise<void>;
  /** Closes the data channel with this id (`DataChannelOpened` gave it). */
  closeDataChannel(channelId: number): Promise<void>;
  /** The STUN server's address (Kurento takes an IP address only, not a host name), or empty. */
  getStunServerAddress(): Promise<string>;
  /** STUN server for server-reflexive candidates; none by default (no public host is contacted). */
  setStunServerAddress(stunServerAddress: string): Promise<void>;
  /** The STUN server's port. */
  getStunServerPort(): Promise<number>;
  /** Sets the STUN server's port (3478 is the usual one). */
  setStunServerPort(stunServerPort: number): Promise<void>;
  /** The TURN server used for relay candidates, as `setTurnUrl` took it, or empty. */
  getTurnUrl(): Promise<string>;
  /** `user:password@address:port(?transport=[udp|tcp|tls])` */
  setTurnUrl(turnUrl: string): Promise<void>;
  /** The IPv4 address announced in place of the server's own in its IPv4 candidates, or empty. */
  getExternalIPv4(): Promise<string>;
  /**
   * Announces this IPv4 address in every IPv4 candidate: for a server with a known public
   * address and no NAT in between, instead of STUN.
   */
  setExternalIPv4(externalIPv4: string): Promise<void>;
  /** The IPv6 address announced in place of the server's own in its IPv6 candidates, or empty. */
  getExternalIPv6(): Promise<string>;
  /** Announces this IPv6 address in every IPv6 candidate (as `setExternalIPv4`). */
  setExternalIPv6(externalIPv6: string): Promise<void>;
  /** The network interfaces ICE gathers on, comma separated (`eth0,enp0s25`), or empty for all. */
  getNetworkInterfaces(): Promise<string>;
  /**
   * Limits ICE gathering to these interfaces, comma separated: faster, and no candidates on
   * virtual interfaces such as `docker0`. Set it before `gatherCandidates()`.
   */
  setNetworkInterfaces(networkInterfaces: string): Promise<void>;
  /** Whether ICE also gathers TCP candidates; on by default in Kurento. */
  getIceTcp(): Promise<boolean>;
  /** Turns TCP candidates on or off (off gathers faster where TCP is not needed). */
  setIceTcp(iceTcp: boolean): Promise<void>;
  /** The candidate pair ICE uses for each stream. */
  getICECandidatePairs(): Promise<IceCandidatePair[]>;
  /** The ICE state of each stream and component. */
  getIceConnectionState(): Promise<IceConnection[]>;
}

/**
 * One side of a WebRTC call, the other being a browser (or any WebRTC peer). Negotiate with
 * `processOffer` (the browser offers) or `generateOffer` and `processAnswer`, then trickle ICE:
 * subscribe to `IceCandidateFound`, call `gatherCandidates()`, and pass the browser's
 * candidates to `addIceCandidate`.
 */
export interface WebRtcEndpoint
  extends BaseRtpEndpoint<WebRtcEndpointEvents>,
    WebRtcEndpointMethods {}

/** The remote methods of endpoints that play or record a URI. */
export interface UriEndpointMethods {
  /** The URI the endpoint reads or writes, as given at creation. */
  getUri(): Promise<string>;
  /** Whether it is playing or recording, paused, or stopped. */
  getState(): Promise<UriEndpointState>;
  /** Pauses playing or recording; `play()` or `record()` resumes. */
  pause(): Promise<void>;
  /**
   * Stops. A player starts from the beginning on its next `play()`; a recorder closes its file
   * (`stopAndWait()` also waits until it is complete).
   */
  stop(): Promise<void>;
}

/**
 * An endpoint that plays media from a URI or records media to one.
 *
 * @typeParam Events - the events it raises, by name, with their payloads.
 */
export interface UriEndpoint<Events extends UriEndpointEvents = UriEndpointEvents>
  extends MediaElement<Events>,
    UriEndpointMethods {}

/** The remote methods of a RecorderEndpoint. */
export interface RecorderEndpointMethods {
  /**
   * Starts recording what the recorder's source sends (or resumes after `pause()`). Kurento
   * advises starting once the recorder's `MediaFlowInStateChanged` said FLOWING for each media
   * type it records; `Recording` tells when it really started.
   */
  record(): Promise<void>;
  /** Stops and resolves once the file is complete on disk. */
  stopAndWait(): Promise<void>;
}

/**
 * Writes the media connected to it to its URI (a `file://` path, or an http(s) upload where
 * the server allows it) in the container its `mediaProfile` names. Subscribe to its `Error`
 * event: a file that cannot be written is reported there.
 */
export interface RecorderEndpoint
  extends UriEndpoint<RecorderEndpointEvents>,
    RecorderEndpointMethods {}

/** The remote methods of a PlayerEndpoint. */
export interface PlayerEndpointMethods {
  /**
   * Starts (or resumes) sending the media of the URI to the player's sinks. A source it cannot
   * read does not reject the call: an `Error` event reports it (on Medley its `type` is
   * URI_PATH_FILE_NOT_FOUND for a missing or unreadable file, MEDIA_OBJECT_ILLEGAL_PARAM_ERROR
   * for one outside the media root, UNSUPPORTED_MEDIA_TYPE for a format it cannot play).
   */
  play(): Promise<void>;
  /** Whether the media can be seeked, its seek range and duration. */
  getVideoInfo(): Promise<VideoInfo>;
  /** Playback position in milliseconds. */
  getPosition(): Promise<number>;
  /**
   * Seeks to `position` milliseconds (seekable media only). Medley rejects a position outside
   * 0 to the duration with MEDIA_OBJECT_ILLEGAL_PARAM_ERROR.
   */
  setPosition(position: number): Promise<void>;
}

/**
 * Plays media from its URI (a `file://` path, or an http(s) or rtsp stream where the server
 * reads it) into the pipeline, as if it came from a peer; `EndOfStream` tells when it is over.
 */
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
  /** Options of a WebRtcEndpoint, all optional. */
  WebRtcEndpoint: {
    /** Receive only: the answer has no sending tracks. */
    recvonly?: boolean;
    /** Send only: the answer has no receiving tracks. */
    sendonly?: boolean;
    /** Negotiate an SCTP association for data channels. */
    useDataChannels?: boolean;
    /** The key type of the DTLS certificate (RSA by default). */
    certificateKeyType?: CertificateKeyType;
  };
  /** Options of an RtpEndpoint, all optional. */
  RtpEndpoint: {
    /** SDES keys: the endpoint sends and expects SRTP instead of plain RTP. */
    crypto?: SDES;
    /** Use IPv6 instead of IPv4 for the RTP (and the SDP's addresses). */
    useIpv6?: boolean;
  };
  /** A PassThrough takes no options. */
  PassThrough: Record<never, never>;
  /** Options of a GStreamerFilter: its command is required. */
  GStreamerFilter: {
    /** A gst-launch fragment of allowed elements, e.g. `videobalance saturation=0.0`. */
    command: string;
    /** Which media it filters; AUTODETECT (default) asks GStreamer. */
    filterType?: FilterType;
  };
  /** Options of a RecorderEndpoint: its URI is required. */
  RecorderEndpoint: {
    /** Where to write, e.g. `file:///tmp/call.webm`. */
    uri: string;
    /** Container and tracks; WEBM (VP8/VP9 + Opus) by default. */
    mediaProfile?: MediaProfileSpecType;
    /** Stop recording when the source reaches its end (a PlayerEndpoint's EndOfStream). */
    stopOnEndOfStream?: boolean;
  };
  /** Options of a PlayerEndpoint: its URI is required. */
  PlayerEndpoint: {
    /** What to play, e.g. `file:///videos/intro.webm`. */
    uri: string;
    /** Pass the file's encoded media through without transcoding when the sinks accept it. */
    useEncodedMedia?: boolean;
    /**
     * Milliseconds of an RTSP source Kurento buffers against network jitter (2000 by default);
     * more smooths bigger spikes at the cost of latency.
     */
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
  /** A Dispatcher takes no options. */
  Dispatcher: Record<never, never>;
  /** A DispatcherOneToMany takes no options. */
  DispatcherOneToMany: Record<never, never>;
  /** Options of a Composite, all optional. */
  Composite: {
    /** Width of the mixed picture in pixels (even), 800 by default. */
    width?: number;
    /** Height of the mixed picture in pixels (even), 600 by default. */
    height?: number;
    /** Frames per second of the mix, 15 by default. */
    framerate?: number;
  };
  /** A FaceOverlayFilter takes no options (`setOverlayedImage` gives its image). */
  FaceOverlayFilter: Record<never, never>;
  /** An ImageOverlayFilter takes no options (`addImage` gives its images). */
  ImageOverlayFilter: Record<never, never>;
  /** A ZBarFilter takes no options. */
  ZBarFilter: Record<never, never>;
  /** Options of a ChromaFilter. */
  ChromaFilter: {
    /** The region the key colour is learnt from, in pixels. */
    window: WindowParam;
    /** The background image's URI (see `setBackground`); none leaves the video unchanged. */
    backgroundImage?: string;
  };
  /** Options of a PointerDetectorFilter. */
  PointerDetectorFilter: {
    /** The region the pointer's colour is taken from, in pixels. */
    calibrationRegion: WindowParam;
    /** Windows to start with (ids unique); `addWindow` adds more. */
    windows?: PointerDetectorWindowMediaParam[];
  };
  /** Options of a CrowdDetectorFilter. */
  CrowdDetectorFilter: {
    /** The regions to watch, 1 to 32, ids unique. */
    rois: RegionOfInterest[];
  };
  /** A PlateDetectorFilter takes no options. */
  PlateDetectorFilter: Record<never, never>;
  /** A HubPort is created on a hub (and in the hub's pipeline). */
  HubPort: {
    /** The hub (Composite, Dispatcher, DispatcherOneToMany) the port belongs to. */
    hub: Hub;
  };
}

/** The element types `pipeline.create(type, params)` can create. */
export type ElementTypeName = keyof ElementParams;

/** `[params?]` when every parameter is optional, `[params]` otherwise. */
export type ParamsArgument<Params> =
  Record<never, never> extends Params ? [params?: Params] : [params: Params];

/** The object interface of each type name, for `create` and `getMediaObjectById`. */
export interface MediaObjectTypes {
  /** Any object. */
  MediaObject: MediaObject;
  /** The server itself. */
  ServerManager: ServerManager;
  /** A container of elements. */
  MediaPipeline: MediaPipeline;
  /** Any media element. */
  MediaElement: MediaElement;
  /** Any hub. */
  Hub: Hub;
  /** A participant's port on a hub. */
  HubPort: HubPort;
  /** A hub routing between pairs of ports. */
  Dispatcher: Dispatcher;
  /** A hub sending one port's media to all. */
  DispatcherOneToMany: DispatcherOneToMany;
  /** A hub mixing every port into one picture and sound. */
  Composite: Composite;
  /** An image drawn over each face. */
  FaceOverlayFilter: FaceOverlayFilter;
  /** Images drawn at fixed places. */
  ImageOverlayFilter: ImageOverlayFilter;
  /** A QR code and barcode reader. */
  ZBarFilter: ZBarFilter;
  /** A chroma key. */
  ChromaFilter: ChromaFilter;
  /** A coloured pointer's tracker. */
  PointerDetectorFilter: PointerDetectorFilter;
  /** A watcher of crowds in regions of the video. */
  CrowdDetectorFilter: CrowdDetectorFilter;
  /** A licence plate reader. */
  PlateDetectorFilter: PlateDetectorFilter;
  /** Media passed on unchanged. */
  PassThrough: PassThrough;
  /** Any filter: an element that changes the media passing through it. */
  Filter: MediaElement;
  /** Media through a GStreamer fragment. */
  GStreamerFilter: GStreamerFilter;
  /** Any endpoint: an element that exchanges media with the world outside the server. */
  Endpoint: MediaElement;
  /** Any endpoint with a session to a remote peer. */
  SessionEndpoint: MediaElement<SessionEndpointEvents>;
  /** Any endpoint negotiated by SDP. */
  SdpEndpoint: SdpEndpoint;
  /** Any RTP endpoint. */
  BaseRtpEndpoint: BaseRtpEndpoint;
  /** Plain RTP or SDES-SRTP to a gateway. */
  RtpEndpoint: RtpEndpoint;
  /** WebRTC with a browser. */
  WebRtcEndpoint: WebRtcEndpoint;
  /** Any endpoint that plays or records a URI. */
  UriEndpoint: UriEndpoint;
  /** Media written to a file. */
  RecorderEndpoint: RecorderEndpoint;
  /** Media played from a file or stream. */
  PlayerEndpoint: PlayerEndpoint;
  /** Any endpoint HTTP clients reach. */
  HttpEndpoint: HttpEndpoint;
  /** Media uploaded by HTTP POST. */
  HttpPostEndpoint: HttpPostEndpoint;
}

/** Every type this client knows, abstract ones included (`getMediaObjectById<T>`). */
export type MediaObjectTypeName = keyof MediaObjectTypes;
