/** What went wrong, so a caller can branch on it. Each maps to a Kurento error code. */
export type WebRtcTransportErrorCode =
  /** The SDP could not be parsed (Kurento SDP_PARSE_ERROR, 40201). */
  | 'SDP_PARSE_ERROR'
  /** The SDP offers no codec this server negotiates (Kurento SDP_END_POINT_PROCESS_OFFER_ERROR, 40205). */
  | 'SDP_NO_ACCEPTABLE_CODEC'
  /** processOffer or generateOffer on an endpoint already negotiated (Kurento 40208). */
  | 'SDP_ALREADY_NEGOTIATED'
  /** processAnswer without a previous generateOffer (Kurento 40209). */
  | 'SDP_NO_OFFER_GENERATED'
  /** processAnswer after an answer was already processed (Kurento 40210). */
  | 'SDP_ANSWER_ALREADY_PROCESSED'
  /** The remote answer was rejected for another reason (Kurento 40206). */
  | 'SDP_PROCESS_ANSWER_ERROR'
  /** The offer could not be generated (Kurento 40204). */
  | 'SDP_GENERATE_OFFER_ERROR'
  /** Candidate gathering failed or was asked for before any negotiation (Kurento 40400). */
  | 'ICE_GATHER_CANDIDATES_ERROR'
  /** A remote candidate was malformed or did not match a negotiated media (Kurento 40401). */
  | 'ICE_ADD_CANDIDATE_ERROR'
  /** createDataChannel on a transport made without `useDataChannels` (Kurento 40108). */
  | 'DATA_CHANNELS_DISABLED'
  /** The transport was closed. */
  | 'TRANSPORT_CLOSED'
  /** The options given to the constructor are inconsistent. */
  | 'INVALID_OPTIONS';

const KURENTO_CODES: Record<WebRtcTransportErrorCode, number> = {
  SDP_PARSE_ERROR: 40201,
  SDP_NO_ACCEPTABLE_CODEC: 40205,
  SDP_ALREADY_NEGOTIATED: 40208,
  SDP_NO_OFFER_GENERATED: 40209,
  SDP_ANSWER_ALREADY_PROCESSED: 40210,
  SDP_PROCESS_ANSWER_ERROR: 40206,
  SDP_GENERATE_OFFER_ERROR: 40204,
  ICE_GATHER_CANDIDATES_ERROR: 40400,
  ICE_ADD_CANDIDATE_ERROR: 40401,
  DATA_CHANNELS_DISABLED: 40108,
  TRANSPORT_CLOSED: 40108,
  INVALID_OPTIONS: 40107,
};

/** An error of a {@link WebRtcTransport}; `kurentoCode` is the JSON-RPC error code KMS uses. */
export class WebRtcTransportError extends Error {
  override readonly name = 'WebRtcTransportError';
  readonly kurentoCode: number;

  constructor(
    readonly code: WebRtcTransportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.kurentoCode = KURENTO_CODES[code];
  }
}
