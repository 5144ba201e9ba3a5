import { OfferOptions } from '../objects/complexTypes.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import { MediaElement } from './MediaElement.js';
import { SessionEndpointType } from './SessionEndpoint.js';

export type OfferOptionsValue = ReturnType<typeof OfferOptions.parse>;

/** An endpoint negotiated with SDP: either the peer offers, or the endpoint offers and the peer answers. */
export abstract class SdpEndpoint extends MediaElement {
  /**
   * Kurento's cap on the audio this endpoint asks to receive, in kbps; 0 means no limit.
   * Stored and read back only: Medley does not write it into the SDP (`b=AS`) nor into REMB.
   */
  maxAudioRecvBandwidth = 0;
  /** As {@link maxAudioRecvBandwidth}, for video: kbps, 0 for no limit, stored only. */
  maxVideoRecvBandwidth = 0;

  /**
   * Takes the peer's SDP offer and returns this endpoint's answer. Throws a KurentoError:
   * SDP_PARSE_ERROR (40201) for an offer that cannot be parsed,
   * SDP_END_POINT_PROCESS_OFFER_ERROR (40205) when it offers no codec the server uses,
   * SDP_END_POINT_ALREADY_NEGOTIATED (40208) on an endpoint that negotiated already. An
   * endpoint negotiates once: after a failure, or to renegotiate, create a new one.
   */
  abstract processOffer(offer: string): Promise<string>;
  /**
   * Returns an SDP offer for the peer to answer (then call {@link processAnswer}). Throws
   * SDP_END_POINT_ALREADY_NEGOTIATED (40208) on an endpoint that negotiated already, or
   * SDP_END_POINT_GENERATE_OFFER_ERROR (40204).
   */
  abstract generateOffer(options?: OfferOptionsValue): Promise<string>;
  /**
   * Applies the peer's SDP answer to this endpoint's offer and returns the local SDP. Throws
   * SDP_END_POINT_NOT_OFFER_GENERATED (40209) without a previous {@link generateOffer},
   * SDP_END_POINT_ANSWER_ALREADY_PROCCESED (40210) for a second answer, and for an answer it
   * cannot use SDP_PARSE_ERROR (40201), SDP_END_POINT_PROCESS_OFFER_ERROR (40205: no codec
   * in common) or SDP_END_POINT_PROCESS_ANSWER_ERROR (40206).
   */
  abstract processAnswer(answer: string): Promise<string>;
  /**
   * This endpoint's SDP: its offer, or once negotiated, the agreed description. Throws
   * SDP_END_POINT_NO_LOCAL_SDP_ERROR (40202) before processOffer or generateOffer (Kurento
   * returns null there).
   */
  abstract getLocalSessionDescriptor(): string;
  /**
   * The peer's SDP (its offer or answer). Throws SDP_END_POINT_NO_REMOTE_SDP_ERROR (40203)
   * before one was processed (Kurento returns null there).
   */
  abstract getRemoteSessionDescriptor(): string;
}

const { method, property } = typeMembers<SdpEndpoint>();

/** The type table of SdpEndpoint (abstract): the offer/answer methods and receive bandwidths. */
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
