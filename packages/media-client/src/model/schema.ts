// The element types as data, like Kurento's *.kmd.json: each type's parent and, for each remote
// method it adds, the wire names of its parameters in call order. The object classes are built
// from this table at run time (objects/classes.ts). `methodsOf<Api>` makes the compiler check
// every entry against the typed API in api.ts: a missing or extra method, or a parameter list of
// the wrong length, does not compile.
import type {
  BaseRtpEndpointMethods,
  ChromaFilterMethods,
  CrowdDetectorFilterMethods,
  DispatcherMethods,
  DispatcherOneToManyMethods,
  FaceOverlayFilterMethods,
  GStreamerFilterMethods,
  HttpEndpointMethods,
  Hub,
  ImageOverlayFilterMethods,
  MediaElementMethods,
  MediaObjectMethods,
  MediaObjectTypeName,
  MediaPipelineMethods,
  PlateDetectorFilterMethods,
  PlayerEndpointMethods,
  PointerDetectorFilterMethods,
  RecorderEndpointMethods,
  SdpEndpointMethods,
  ServerManagerMethods,
  UriEndpointMethods,
  WebRtcEndpointMethods,
} from './api.js';

/** A parameter's wire name, or `[name, complexType]` for a value that needs `__type__` tagging. */
export type ParamSpec = string | readonly [name: string, complexType: string];

/** How to turn a method's raw result into objects: ids become MediaObjects. */
export type ResultDecoding = 'object' | 'objects' | 'connections';

/**
 * One {@link ParamSpec} per parameter of `Method`, in call order: optional parameters too, so
 * the wire names are complete.
 *
 * @typeParam Method - the method's signature in the typed API.
 */
export type ParamSpecs<Method> = Method extends (...args: infer Args) => unknown
  ? { readonly [Index in keyof Args]-?: ParamSpec }
  : never;

/**
 * How to call one remote method: the wire names of its parameters, or those and how to decode
 * its result when the result names objects.
 *
 * @typeParam Method - the method's signature in the typed API, which the spec must match
 *   parameter for parameter.
 */
export type MethodSpec<Method = (...args: never[]) => unknown> =
  | ParamSpecs<Method>
  | {
      /** The wire names of the parameters. */
      readonly params: ParamSpecs<Method>;
      /** How to turn the raw result into objects. */
      readonly result: ResultDecoding;
    };

/** One object type as data: what it inherits and the remote methods it adds. */
export interface TypeSpec {
  /** The type it extends, whose methods it has too; null for MediaObject, the root. */
  readonly parent: MediaObjectTypeName | null;
  /** The remote methods the type adds to its parent, by name. */
  readonly methods: Readonly<Record<string, MethodSpec>>;
  /** Constructor parameters that are complex values, by name: they get `__type__` tagging. */
  readonly complexConstructorParams?: Readonly<Record<string, string>>;
}

function methodsOf<Api>(methods: { readonly [Name in keyof Api]-?: MethodSpec<Api[Name]> }) {
  return methods;
}

const noMethods = methodsOf<Record<never, never>>({});

/**
 * Every object type this client knows, as data (like Kurento's kmd.json): its parent and the
 * remote methods it adds, with their wire parameter names. The client builds its object classes
 * from it; `schema.WebRtcEndpoint.methods` lists what a WebRtcEndpoint adds to BaseRtpEndpoint.
 */
export const schema: Readonly<Record<MediaObjectTypeName, TypeSpec>> = {
  MediaObject: {
    parent: null,
    methods: methodsOf<MediaObjectMethods>({
      addTag: ['key', 'value'],
      removeTag: ['key'],
      getTag: ['key'],
      getTags: [],
      getMediaPipeline: { params: [], result: 'object' },
      getParent: { params: [], result: 'object' },
      getChildren: { params: [], result: 'objects' },
      getName: [],
      setName: ['name'],
      getSendTagsInEvents: [],
      setSendTagsInEvents: ['sendTagsInEvents'],
      getCreationTime: [],
    }),
  },
  ServerManager: {
    parent: 'MediaObject',
    methods: methodsOf<ServerManagerMethods>({
      getInfo: [],
      getPipelines: { params: [], result: 'objects' },
      getSessions: [],
      getMetadata: [],
      getKmd: ['moduleName'],
      getCpuCount: [],
      getUsedCpu: ['interval'],
      getUsedMemory: [],
    }),
  },
  MediaPipeline: {
    parent: 'MediaObject',
    methods: methodsOf<MediaPipelineMethods>({
      getLatencyStats: [],
      setLatencyStats: ['latencyStats'],
      getGstreamerDot: ['details'],
    }),
  },
  MediaElement: {
    parent: 'MediaObject',
    methods: methodsOf<MediaElementMethods>({
      connect: ['sink', 'mediaType', 'sourceMediaDescription', 'sinkMediaDescription'],
      disconnect: ['sink', 'mediaType', 'sourceMediaDescription', 'sinkMediaDescription'],
      getSourceConnections: { params: ['mediaType', 'description'], result: 'connections' },
      getSinkConnections: { params: ['mediaType', 'description'], result: 'connections' },
      getStats: ['mediaType'],
      isMediaFlowingIn: ['mediaType', 'sinkMediaDescription'],
      isMediaFlowingOut: ['mediaType', 'sourceMediaDescription'],
      isMediaTranscoding: ['mediaType', 'binName'],
      setAudioFormat: [['caps', 'AudioCaps']],
      setVideoFormat: [['caps', 'VideoCaps']],
      getGstreamerDot: ['details'],
      getEncoderBitrate: [],
      setEncoderBitrate: ['encoderBitrate'],
      getMinEncoderBitrate: [],
      setMinEncoderBitrate: ['minEncoderBitrate'],
      getMaxEncoderBitrate: [],
      setMaxEncoderBitrate: ['maxEncoderBitrate'],
    }),
  },
  Hub: {
    parent: 'MediaObject',
    methods: methodsOf<Pick<Hub, 'getGstreamerDot'>>({ getGstreamerDot: ['details'] }),
  },
  HubPort: { parent: 'MediaElement', methods: noMethods },
  Dispatcher: {
    parent: 'Hub',
    methods: methodsOf<DispatcherMethods>({ connect: ['source', 'sink'] }),
  },
  DispatcherOneToMany: {
    parent: 'Hub',
    methods: methodsOf<DispatcherOneToManyMethods>({ setSource: ['source'], removeSource: [] }),
  },
  Composite: { parent: 'Hub', methods: noMethods },
  PassThrough: { parent: 'MediaElement', methods: noMethods },
  Filter: { parent: 'MediaElement', methods: noMethods },
  GStreamerFilter: {
    parent: 'Filter',
    methods: methodsOf<GStreamerFilterMethods>({
      getCommand: [],
      setElementProperty: ['propertyName', 'propertyValue'],
      getElementProperty: ['propertyName'],
    }),
  },
  FaceOverlayFilter: {
    parent: 'Filter',
    methods: methodsOf<FaceOverlayFilterMethods>({
      setOverlayedImage: [
        'uri',
        'offsetXPercent',
        'offsetYPercent',
        'widthPercent',
        'heightPercent',
      ],
      unsetOverlayedImage: [],
    }),
  },
  ImageOverlayFilter: {
    parent: 'Filter',
    methods: methodsOf<ImageOverlayFilterMethods>({
      addImage: [
        'id',
        'uri',
        'offsetXPercent',
        'offsetYPercent',
        'widthPercent',
        'heightPercent',
        'keepAspectRatio',
        'center',
      ],
      removeImage: ['id'],
    }),
  },
  ZBarFilter: { parent: 'Filter', methods: noMethods },
  ChromaFilter: {
    parent: 'Filter',
    methods: methodsOf<ChromaFilterMethods>({ setBackground: ['uri'], unsetBackground: [] }),
    complexConstructorParams: { window: 'WindowParam' },
  },
  PointerDetectorFilter: {
    parent: 'Filter',
    methods: methodsOf<PointerDetectorFilterMethods>({
      addWindow: [['window', 'PointerDetectorWindowMediaParam']],
      removeWindow: ['windowId'],
      clearWindows: [],
      trackColorFromCalibrationRegion: [],
    }),
    complexConstructorParams: { calibrationRegion: 'WindowParam' },
  },
  CrowdDetectorFilter: {
    parent: 'Filter',
    methods: methodsOf<CrowdDetectorFilterMethods>({
      getProcessingWidth: [],
      setProcessingWidth: ['processingWidth'],
    }),
  },
  PlateDetectorFilter: {
    parent: 'Filter',
    methods: methodsOf<PlateDetectorFilterMethods>({
      setPlateWidthPercentage: ['plateWidthPercentage'],
    }),
  },
  Endpoint: { parent: 'MediaElement', methods: noMethods },
  SessionEndpoint: { parent: 'Endpoint', methods: noMethods },
  SdpEndpoint: {
    parent: 'SessionEndpoint',
    methods: methodsOf<SdpEndpointMethods>({
      generateOffer: [['options', 'OfferOptions']],
      processOffer: ['offer'],
      processAnswer: ['answer'],
      getLocalSessionDescriptor: [],
      getRemoteSessionDescriptor: [],
      getMaxAudioRecvBandwidth: [],
      setMaxAudioRecvBandwidth: ['maxAudioRecvBandwidth'],
      getMaxVideoRecvBandwidth: [],
      setMaxVideoRecvBandwidth: ['maxVideoRecvBandwidth'],
    }),
  },
  BaseRtpEndpoint: {
    parent: 'SdpEndpoint',
    methods: methodsOf<BaseRtpEndpointMethods>({
      requestKeyframe: [],
      getMediaState: [],
      getConnectionState: [],
      getMinVideoRecvBandwidth: [],
      setMinVideoRecvBandwidth: ['minVideoRecvBandwidth'],
      getMinVideoSendBandwidth: [],
      setMinVideoSendBandwidth: ['minVideoSendBandwidth'],
      getMaxVideoSendBandwidth: [],
      setMaxVideoSendBandwidth: ['maxVideoSendBandwidth'],
      getMtu: [],
      setMtu: ['mtu'],
      getRembParams: [],
      setRembParams: [['rembParams', 'RembParams']],
    }),
  },
  RtpEndpoint: {
    parent: 'BaseRtpEndpoint',
    methods: noMethods,
    complexConstructorParams: { crypto: 'SDES' },
  },
  WebRtcEndpoint: {
    parent: 'BaseRtpEndpoint',
    methods: methodsOf<WebRtcEndpointMethods>({
      gatherCandidates: [],
      addIceCandidate: [['candidate', 'IceCandidate']],
      createDataChannel: ['label', 'ordered', 'maxPacketLifeTime', 'maxRetransmits', 'protocol'],
      closeDataChannel: ['channelId'],
      getStunServerAddress: [],
      setStunServerAddress: ['stunServerAddress'],
      getStunServerPort: [],
      setStunServerPort: ['stunServerPort'],
      getTurnUrl: [],
      setTurnUrl: ['turnUrl'],
      getExternalIPv4: [],
      setExternalIPv4: ['externalIPv4'],
      getExternalIPv6: [],
      setExternalIPv6: ['externalIPv6'],
      getNetworkInterfaces: [],
      setNetworkInterfaces: ['networkInterfaces'],
      getIceTcp: [],
      setIceTcp: ['iceTcp'],
      getICECandidatePairs: [],
      getIceConnectionState: [],
    }),
  },
  UriEndpoint: {
    parent: 'Endpoint',
    methods: methodsOf<UriEndpointMethods>({ getUri: [], getState: [], pause: [], stop: [] }),
  },
  RecorderEndpoint: {
    parent: 'UriEndpoint',
    methods: methodsOf<RecorderEndpointMethods>({ record: [], stopAndWait: [] }),
  },
  PlayerEndpoint: {
    parent: 'UriEndpoint',
    methods: methodsOf<PlayerEndpointMethods>({
      play: [],
      getVideoInfo: [],
      getPosition: [],
      setPosition: ['position'],
    }),
  },
  HttpEndpoint: {
    parent: 'SessionEndpoint',
    methods: methodsOf<HttpEndpointMethods>({ getUrl: [] }),
  },
  HttpPostEndpoint: { parent: 'HttpEndpoint', methods: noMethods },
};

/** Whether this client knows the type `type` (and so has its methods). */
export function isKnownType(type: string): type is MediaObjectTypeName {
  return Object.hasOwn(schema, type);
}
