import { InvalidParamError, KurentoError } from '../errors.js';
import type { MediaType } from '../graph/index.js';
import { complexValue } from '../objects/complexTypes.js';
import type { ObjectInit } from '../objects/MediaObject.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import type { IceSettings } from '../objects/ServerContext.js';
import * as t from '../objects/valueTypes.js';
import { StatsIntervals } from '../stats/StatsIntervals.js';
import { kurentoWebRtcStats } from '../stats/webRtcStats.js';
import {
  type IceCandidatePair,
  type IceComponentStateChange,
  WebRtcTransport,
  WebRtcTransportError,
} from '../transport/index.js';
import {
  BaseRtpEndpoint,
  BaseRtpEndpointType,
  type ConnectionStateValue,
  type MediaStateValue,
} from './BaseRtpEndpoint.js';
import { iceServersFor, iceServerUrls, isTurnUrl } from './iceServers.js';
import type { StatsReport } from './MediaElement.js';
import type { MediaPipeline } from './MediaPipeline.js';

export const IceCandidate = t.register('IceCandidate', {
  candidate: t.string,
  sdpMid: t.string,
  sdpMLineIndex: t.int,
});

const CertificateKeyType = t.enumeration('CertificateKeyType', ['RSA', 'ECDSA']);

// Accepted for compatibility; werift does not mark packets with DSCP.
const DSCPValue = t.enumeration('DSCPValue', [
  'NO_DSCP',
  'NO_VALUE',
  'AUDIO_VERYLOW',
  'AUDIO_LOW',
  'AUDIO_MEDIUM',
  'AUDIO_HIGH',
  'VIDEO_VERYLOW',
  'VIDEO_LOW',
  'VIDEO_MEDIUM',
  'VIDEO_MEDIUM_THROUGHPUT',
  'VIDEO_HIGH',
  'VIDEO_HIGH_THROUGHPUT',
  'DATA_VERYLOW',
  'DATA_LOW',
  'DATA_MEDIUM',
  'DATA_HIGH',
  'CHROME_HIGH',
  'CHROME_MEDIUM',
  'CHROME_LOW',
  'CHROME_VERYLOW',
  'CS0',
  'CS1',
  'CS2',
  'CS3',
  'CS4',
  'CS5',
  'CS6',
  'CS7',
  'AF11',
  'AF12',
  'AF13',
  'AF21',
  'AF22',
  'AF23',
  'AF31',
  'AF32',
  'AF33',
  'AF41',
  'AF42',
  'AF43',
  'EF',
  'VOICEADMIT',
  'LE',
]);

/** The ICE settings an endpoint can change through its Kurento properties. */
export type EndpointIceSettings = Pick<
  IceSettings,
  'stunServerAddress' | 'stunServerPort' | 'turnUrl' | 'externalIPv4' | 'externalIPv6'
>;

// Not exported by transport/index.ts (yet).
type DataChannelOptions = NonNullable<Parameters<WebRtcTransport['createDataChannel']>[1]>;

export interface WebRtcEndpointOptions {
  readonly recvonly: boolean;
  readonly sendonly: boolean;
  readonly useDataChannels: boolean;
}

function toKurentoError(error: unknown): unknown {
  if (error instanceof WebRtcTransportError) {
    return KurentoError.fromCode(error.kurentoCode, error.message, error);
  }
  return error;
}

/**
 * A WebRTC peer of the server (Kurento's WebRtcEndpoint), carried by a {@link WebRtcTransport}:
 * media the browser sends leaves through this element's source side, media connected into it is
 * sent to the browser. Connected to itself, it echoes the browser's media (loopback).
 */
export class WebRtcEndpoint extends BaseRtpEndpoint {
  /**
   * The peer connection carrying this endpoint's media; its type is not public (werift stays
   * behind the transport module).
   * @internal
   */
  readonly transport: WebRtcTransport;
  /** Stored for clients that read it back; werift gathers on every interface. */
  networkInterfaces = '';
  /** Stored for clients that read it back; werift gathers UDP candidates only. */
  iceTcp = true;
  private ice: EndpointIceSettings;
  private connection: ConnectionStateValue = 'DISCONNECTED';
  private media: MediaStateValue = 'DISCONNECTED';
  private readonly selectedPairs: IceCandidatePair[] = [];
  private readonly componentStates = new Map<string, IceComponentStateChange>();
  private readonly statsIntervals = new StatsIntervals();

  constructor(init: ObjectInit, pipeline: MediaPipeline, options: WebRtcEndpointOptions) {
    if (options.recvonly && options.sendonly) {
      throw new InvalidParamError('recvonly and sendonly cannot both be true');
    }
    const ice = init.context.ice;
    const transport = new WebRtcTransport({
      ...options,
      iceServers: iceServersFor(ice),
      ...(ice.portRange ? { portRange: ice.portRange } : {}),
      announcedAddresses: [ice.externalIPv4, ice.externalIPv6].filter(
        (address): address is string => address !== undefined,
      ),
      additionalHostAddresses: ice.hostAddresses,
      srtpWorkers: init.context.srtpWorkers,
      nativeSrtp: init.context.nativeSrtp,
      iceUdpMux: init.context.iceUdpMux,
      weriftSendPath: init.context.weriftSendPath,
      name: 'WebRtcEndpoint',
    });
    super(init, pipeline, transport.node);
    this.transport = transport;
    this.ice = {
      stunServerAddress: ice.stunServerAddress,
      stunServerPort: ice.stunServerPort,
      turnUrl: ice.turnUrl,
      externalIPv4: ice.externalIPv4,
      externalIPv6: ice.externalIPv6,
    };
    this.forwardTransportEvents();
  }

  /**
   * The STUN server, TURN relay and external addresses this endpoint gathers with: the
   * server's ICE options at creation, as changed since by {@link configureIce}.
   */
  get iceSettings(): EndpointIceSettings {
    return this.ice;
  }

  /**
   * Kurento's STUN, TURN and external-address properties. Set them before processOffer or
   * generateOffer: candidates are gathered while negotiating.
   */
  configureIce(change: Partial<EndpointIceSettings>): void {
    const next = { ...this.ice, ...change };
    try {
      this.transport.setIceServers(iceServersFor(next));
      this.transport.setAnnouncedAddresses(
        [next.externalIPv4, next.externalIPv6].filter((address) => address !== undefined),
      );
    } catch (error) {
      throw toKurentoError(error);
    }
    this.ice = next;
  }

  /**
   * Opens a data channel from the server side; DataChannelOpened (with its `channelId`) is
   * raised once the SCTP association is up. In `options`, -1 leaves `maxPacketLifeTime` or
   * `maxRetransmits` unset (a reliable channel), as in Kurento. Throws
   * MEDIA_OBJECT_NOT_AVAILABLE (40108) when the endpoint was created without `useDataChannels`.
   */
  createDataChannel(label: string, options: DataChannelOptions): void {
    try {
      this.transport.createDataChannel(label, options);
    } catch (error) {
      throw toKurentoError(error);
    }
  }

  /** Closes the data channel with that id (raising DataChannelClosed); unknown ids are ignored. */
  closeDataChannel(channelId: number): void {
    this.transport.closeDataChannel(channelId);
  }

  get connectionState(): ConnectionStateValue {
    return this.connection;
  }

  get mediaState(): MediaStateValue {
    return this.media;
  }

  async processOffer(offer: string): Promise<string> {
    return this.call(() => this.transport.processOffer(offer));
  }

  /** `options.offerToReceive*` are accepted; the offer follows recvonly/sendonly. */
  async generateOffer(): Promise<string> {
    return this.call(() => this.transport.generateOffer());
  }

  async processAnswer(answer: string): Promise<string> {
    return this.call(() => this.transport.processAnswer(answer));
  }

  /**
   * Emits each local candidate as IceCandidateFound, then IceGatheringDone (trickle ICE). The
   * candidates are gathered while negotiating, so the SDP answer or offer already holds them;
   * a second call emits nothing. Called before processOffer or generateOffer (Kurento allows
   * it), the events follow that call's answer.
   */
  async gatherCandidates(): Promise<void> {
    await this.call(() => this.transport.gatherCandidates());
  }

  /**
   * Adds a candidate of the peer (trickle ICE). Candidates that arrive before the peer's SDP are
   * kept until it is applied; mDNS (`.local`) and TCP candidates are ignored (the server
   * gathers UDP only and resolves no mDNS name). Throws ICE_ADD_CANDIDATE_ERROR (40401) for a
   * malformed candidate or one that matches no negotiated media.
   */
  async addIceCandidate(candidate: { candidate: string; sdpMid: string; sdpMLineIndex: number }) {
    await this.call(() => this.transport.addIceCandidate(candidate));
  }

  getLocalSessionDescriptor(): string {
    const sdp = this.transport.getLocalSessionDescriptor();
    if (sdp === undefined) {
      throw new KurentoError(
        'SDP_END_POINT_NO_LOCAL_SDP_ERROR',
        'No local SDP yet: call processOffer or generateOffer first',
      );
    }
    return sdp;
  }

  getRemoteSessionDescriptor(): string {
    const sdp = this.transport.getRemoteSessionDescriptor();
    if (sdp === undefined) {
      throw new KurentoError(
        'SDP_END_POINT_NO_REMOTE_SDP_ERROR',
        'No remote SDP yet: call processOffer, or generateOffer then processAnswer',
      );
    }
    return sdp;
  }

  requestKeyframe(): void {
    this.transport.requestKeyframe();
  }

  /**
   * Kurento's ICECandidatePairs: every candidate pair selected so far, oldest first (one per
   * NewCandidatePairSelected event), as IceCandidatePair values.
   */
  get candidatePairs(): Record<string, unknown>[] {
    return this.selectedPairs.map((pair) => complexValue('IceCandidatePair', { ...pair }));
  }

  /**
   * Kurento's IceConnectionState: the latest state of each ICE component, as IceConnection
   * values `{streamId, componentId, state}`.
   */
  get iceConnectionStates(): Record<string, unknown>[] {
    return [...this.componentStates.values()].map((change) =>
      complexValue('IceConnection', {
        streamId: String(change.streamId),
        componentId: change.componentId,
        state: change.state,
      }),
    );
  }

  /**
   * Kurento's stats of the endpoint (built in stats/webRtcStats.ts): its `endpoint` entry with
   * the E2E latencies, then the RTP streams, tracks, codecs, ICE candidates and pairs, DTLS
   * transport and certificates, session and data channels, each in Kurento's shape with
   * werift's W3C fields alongside. With `mediaType`, the other media's entries are left out.
   */
  override async getStats(mediaType?: MediaType): Promise<StatsReport> {
    const report = await super.getStats(mediaType);
    const entries = [...(await this.transport.getStats()).values()];
    const stats = kurentoWebRtcStats(
      entries,
      {
        node: this.node,
        localSdp: this.transport.getLocalSessionDescriptor(),
        remoteSdp: this.transport.getRemoteSessionDescriptor(),
        ...iceServerUrls(this.ice),
        intervals: this.statsIntervals,
        nowMs: performance.now(),
        timestampMillis: Date.now(),
      },
      mediaType,
    );
    return Object.assign(report, stats);
  }

  protected override async onRelease(): Promise<void> {
    await this.transport.close();
    await super.onRelease();
  }

  private async call<R>(operation: () => Promise<R>): Promise<R> {
    try {
      return await operation();
    } catch (error) {
      throw toKurentoError(error);
    }
  }

  private forwardTransportEvents(): void {
    const transport = this.transport;
    transport.on('icecandidate', (candidate) =>
      this.emitEvent('IceCandidateFound', {
        candidate: complexValue('IceCandidate', { ...candidate }),
      }),
    );
    transport.on('icegatheringdone', () => this.emitEvent('IceGatheringDone'));
    transport.on('icecomponentstatechange', (change) => {
      this.componentStates.set(`${change.streamId}/${change.componentId}`, change);
      this.emitEvent('IceComponentStateChanged', { ...change });
    });
    transport.on('newcandidatepairselected', (pair) => {
      this.selectedPairs.push(pair);
      this.emitEvent('NewCandidatePairSelected', {
        candidatePair: complexValue('IceCandidatePair', { ...pair }),
      });
    });
    transport.on('connectionstatechange', (change) => {
      this.connection = change.newState;
      this.emitEvent('ConnectionStateChanged', { ...change });
      // KMS's SessionEndpoint events follow the connection of the media session.
      this.emitEvent(
        change.newState === 'CONNECTED' ? 'MediaSessionStarted' : 'MediaSessionTerminated',
      );
    });
    transport.on('mediastatechange', (change) => {
      this.media = change.newState;
      this.emitEvent('MediaStateChanged', { ...change });
    });
    transport.on('datachannelopened', ({ channelId }) =>
      this.emitEvent('DataChannelOpened', { channelId }),
    );
    transport.on('datachannelclosed', ({ channelId }) =>
      this.emitEvent('DataChannelClosed', { channelId }),
    );
  }
}

const { method, property } = typeMembers<WebRtcEndpoint>();

type IceSetting = 'stunServerAddress' | 'turnUrl' | 'externalIPv4' | 'externalIPv6';

/** A string ICE property; Kurento clears it with an empty string. */
function iceString(name: IceSetting, check?: (value: string) => void) {
  return property(t.string, {
    get: (endpoint) => endpoint.iceSettings[name] ?? '',
    set: (endpoint, value) => {
      if (value !== '') check?.(value);
      endpoint.configureIce({ [name]: value === '' ? undefined : value });
    },
  });
}

function checkTurnUrl(url: string): void {
  if (!isTurnUrl(url)) {
    throw new InvalidParamError(
      `turnUrl must look like user:password@host:port[?transport=udp|tcp|tls], got '${url}'`,
    );
  }
}

/**
 * The type table of WebRtcEndpoint: its constructor params (`recvonly`, `sendonly`,
 * `useDataChannels`; `certificateKeyType` and `qosDscp` are accepted and ignored), the ICE
 * methods and properties, data channels and the ICE events.
 */
export const WebRtcEndpointType = defineType({
  name: 'WebRtcEndpoint',
  module: 'elements',
  extends: BaseRtpEndpointType,
  constructorParams: {
    mediaPipeline: t.mediaObject<MediaPipeline>('MediaPipeline'),
    recvonly: t.optional(t.boolean, false),
    sendonly: t.optional(t.boolean, false),
    useDataChannels: t.optional(t.boolean, false),
    certificateKeyType: t.optional(CertificateKeyType, 'RSA'),
    qosDscp: t.optional(DSCPValue, 'NO_VALUE'),
  },
  create: ({ mediaPipeline, recvonly, sendonly, useDataChannels }, init) =>
    new WebRtcEndpoint(init, mediaPipeline, { recvonly, sendonly, useDataChannels }),
  methods: {
    gatherCandidates: method({}, (endpoint) => endpoint.gatherCandidates()),
    addIceCandidate: method({ candidate: IceCandidate }, (endpoint, { candidate }) =>
      endpoint.addIceCandidate(candidate),
    ),
    createDataChannel: method(
      {
        label: t.optional(t.string, ''),
        ordered: t.optional(t.boolean, true),
        maxPacketLifeTime: t.optional(t.int, -1),
        maxRetransmits: t.optional(t.int, -1),
        protocol: t.optional(t.string, ''),
      },
      (endpoint, { label, ...options }) => endpoint.createDataChannel(label, options),
    ),
    closeDataChannel: method({ channelId: t.int }, (endpoint, { channelId }) =>
      endpoint.closeDataChannel(channelId),
    ),
  },
  properties: {
    stunServerAddress: iceString('stunServerAddress'),
    stunServerPort: property(t.int, {
      get: (endpoint) => endpoint.iceSettings.stunServerPort ?? 0,
      set: (endpoint, port) => {
        if (port < 0 || port > 65535) {
          throw new InvalidParamError(`stunServerPort must be 0-65535, got ${port}`);
        }
        endpoint.configureIce({ stunServerPort: port === 0 ? undefined : port });
      },
    }),
    turnUrl: iceString('turnUrl', checkTurnUrl),
    externalIPv4: iceString('externalIPv4'),
    externalIPv6: iceString('externalIPv6'),
    networkInterfaces: property(t.string, {
      get: (endpoint) => endpoint.networkInterfaces,
      set: (endpoint, names) => {
        endpoint.networkInterfaces = names;
      },
    }),
    iceTcp: property(t.boolean, {
      get: (endpoint) => endpoint.iceTcp,
      set: (endpoint, enabled) => {
        endpoint.iceTcp = enabled;
      },
    }),
    ICECandidatePairs: property(t.array(t.opaque('IceCandidatePair')), {
      get: (endpoint) => endpoint.candidatePairs,
    }),
    IceConnectionState: property(t.array(t.opaque('IceConnection')), {
      get: (endpoint) => endpoint.iceConnectionStates,
    }),
  },
  events: [
    'IceCandidateFound',
    'IceGatheringDone',
    'IceComponentStateChanged',
    'DataChannelOpened',
    'DataChannelClosed',
    'NewCandidatePairSelected',
    // kurento-client 7 subscribes to it on every WebRtcEndpoint and emits 'error' (crashing apps
    // without a listener) when refused; accepted here, not raised yet.
    'DtlsConnectionStateChange',
  ],
});
