import { ConnectionState, MediaState } from '../objects/complexTypes.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import { SdpEndpoint, SdpEndpointType } from './SdpEndpoint.js';

export type ConnectionStateValue = ReturnType<typeof ConnectionState.parse>;
export type MediaStateValue = ReturnType<typeof MediaState.parse>;

/** An SDP endpoint that carries RTP: keyframe requests, bandwidth limits, connection state. */
export abstract class BaseRtpEndpoint extends SdpEndpoint {
  /** kbps, Kurento's defaults. */
  minVideoRecvBandwidth = 0;
  minVideoSendBandwidth = 100;
  maxVideoSendBandwidth = 500;
  mtu = 1200;

  abstract requestKeyframe(): void;
  abstract get connectionState(): ConnectionStateValue;
  abstract get mediaState(): MediaStateValue;
}

const { method, property } = typeMembers<BaseRtpEndpoint>();

function kbps(
  get: (endpoint: BaseRtpEndpoint) => number,
  set: (endpoint: BaseRtpEndpoint, value: number) => void,
) {
  return property(t.int, { get, set });
}

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
