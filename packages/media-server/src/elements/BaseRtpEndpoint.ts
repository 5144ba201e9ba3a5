import { ConnectionState, MediaState } from '../objects/complexTypes.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import type { ElementStatsKind } from '../stats/elementStats.js';
import { SdpEndpoint, SdpEndpointType } from './SdpEndpoint.js';

export type ConnectionStateValue = ReturnType<typeof ConnectionState.parse>;
export type MediaStateValue = ReturnType<typeof MediaState.parse>;

/** An SDP endpoint that carries RTP: keyframe requests, bandwidth limits, connection state. */
export abstract class BaseRtpEndpoint extends SdpEndpoint {
  /**
   * Kurento's floor for the bitrate this endpoint asks its peer to send (through REMB), in
   * kbps; default 0. Like the other bandwidth properties here it is stored and read back only:
   * the REMB an endpoint sends its peer is the lowest estimate of the receivers its media
   * reaches, with no floor or cap applied, and forwarded media keeps the bitrate it came with.
   */
  minVideoRecvBandwidth = 0;
  /** Kurento's floor for the video bitrate this endpoint sends, in kbps (default 100); stored. */
  minVideoSendBandwidth = 100;
  /** Kurento's cap on the video bitrate this endpoint sends, in kbps; default 500, stored only. */
  maxVideoSendBandwidth = 500;
  /**
   * Kurento's largest RTP packet, in bytes; default 1200. Stored only: media is forwarded in
   * the packets it arrived in.
   */
  mtu = 1200;

  /**
   * Asks the peer of this endpoint, which sends it video, for a keyframe (RTCP PLI), at most
   * once per {@link KEYFRAME_REQUEST_INTERVAL_MS}. Kurento's asks upstream in the pipeline
   * instead; here sinks already ask their sources when they join or lose a picture.
   */
  abstract requestKeyframe(): void;
  /** Kurento's ConnectionState: CONNECTED while the transport to the peer is up. */
  abstract get connectionState(): ConnectionStateValue;
  /** Kurento's MediaState: CONNECTED while RTCP arrives from the peer, else DISCONNECTED. */
  abstract get mediaState(): MediaStateValue;

  /** An RTP endpoint's own stats entry is Kurento's `EndpointStats`, with E2E latency. */
  protected override get statsKind(): ElementStatsKind {
    return 'endpoint';
  }
}

const { method, property } = typeMembers<BaseRtpEndpoint>();

function kbps(
  get: (endpoint: BaseRtpEndpoint) => number,
  set: (endpoint: BaseRtpEndpoint, value: number) => void,
) {
  return property(t.int, { get, set });
}

/**
 * The type table of BaseRtpEndpoint (abstract): requestKeyframe, the bandwidth and MTU
 * properties, the connection and media states and their events.
 */
export const BaseRtpEndpointType = defineType<BaseRtpEndpoint>({
  name: 'BaseRtpEndpoint',
  module: 'core',
  extends: SdpEndpointType,
  methods: {
    requestKeyframe: method({}, (endpoint) => endpoint.requestKeyframe()),
  },
  properties: {
    minVideoRecvBandwidth: kbps(
      (endpoint) => endpoint.minVideoRecvBandwidth,
      (endpoint, value) => {
        endpoint.minVideoRecvBandwidth = value;
      },
    ),
    minVideoSendBandwidth: kbps(
      (endpoint) => endpoint.minVideoSendBandwidth,
      (endpoint, value) => {
        endpoint.minVideoSendBandwidth = value;
      },
    ),
    maxVideoSendBandwidth: kbps(
      (endpoint) => endpoint.maxVideoSendBandwidth,
      (endpoint, value) => {
        endpoint.maxVideoSendBandwidth = value;
      },
    ),
    mtu: property(t.int, {
      get: (endpoint) => endpoint.mtu,
      set: (endpoint, value) => {
        endpoint.mtu = value;
      },
    }),
    mediaState: property(MediaState, { get: (endpoint) => endpoint.mediaState }),
    connectionState: property(ConnectionState, { get: (endpoint) => endpoint.connectionState }),
  },
  events: ['MediaStateChanged', 'ConnectionStateChanged'],
});
