import { OfferOptions } from '../objects/complexTypes.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import { MediaElement } from './MediaElement.js';
import { SessionEndpointType } from './SessionEndpoint.js';

export type OfferOptionsValue = ReturnType<typeof OfferOptions.parse>;

/** An endpoint negotiated with SDP: either the peer offers, or the endpoint offers and the peer answers. */
export abstract class SdpEndpoint extends MediaElement {
  /** kbps; 0 means no limit. */
  maxAudioRecvBandwidth = 0;
  maxVideoRecvBandwidth = 0;

  abstract processOffer(offer: string): Promise<string>;
  abstract generateOffer(options?: OfferOptionsValue): Promise<string>;
  abstract processAnswer(answer: string): Promise<string>;
  abstract getLocalSessionDescriptor(): string;
  abstract getRemoteSessionDescriptor(): string;
}

const { method, property } = typeMembers<SdpEndpoint>();

export const SdpEndpointType = defineType<SdpEndpoint>({
  name: 'SdpEndpoint',
  module: 'core',
  extends: SessionEndpointType,
  methods: {
    generateOffer: method(
      { options: t.optional(OfferOptions) },
      (endpoint, { options }) => endpoint.generateOffer(options),
      'String',
    ),
    processOffer: method(
      { offer: t.string },
      (endpoint, { offer }) => endpoint.processOffer(offer),
      'String',
    ),
    processAnswer: method(
      { answer: t.string },
      (endpoint, { answer }) => endpoint.processAnswer(answer),
      'String',
    ),
    getLocalSessionDescriptor: method(
      {},
      (endpoint) => endpoint.getLocalSessionDescriptor(),
      'String',
    ),
    getRemoteSessionDescriptor: method(
      {},
      (endpoint) => endpoint.getRemoteSessionDescriptor(),
      'String',
    ),
  },
  properties: {
    maxAudioRecvBandwidth: property(t.int, {
      get: (endpoint) => endpoint.maxAudioRecvBandwidth,
      set: (endpoint, kbps) => {
        endpoint.maxAudioRecvBandwidth = kbps;
      },
    }),
    maxVideoRecvBandwidth: property(t.int, {
      get: (endpoint) => endpoint.maxVideoRecvBandwidth,
      set: (endpoint, kbps) => {
        endpoint.maxVideoRecvBandwidth = kbps;
      },
    }),
  },
});
