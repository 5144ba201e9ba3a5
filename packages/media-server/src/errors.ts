/**
 * Error codes of the Kurento Protocol (KMS `KurentoException.hpp`) and of JSON-RPC 2.0. Clients
 * branch on the numeric code; `data.type` carries the symbolic name, as KMS sends it.
 */
export const ErrorCodes = {
  // JSON-RPC 2.0
  /** JSON-RPC: the message is not valid JSON. */
  PARSE_ERROR: -32700,
  /** JSON-RPC: the message is JSON but not a valid request (no method, wrong version). */
  INVALID_REQUEST: -32600,
  /** JSON-RPC: the protocol method (`create`, `invoke`, ...) does not exist. */
  METHOD_NOT_FOUND: -32601,
  /** JSON-RPC: the parameters of the protocol method are malformed. */
  INVALID_PARAMS: -32602,
  /** JSON-RPC: the server failed while handling the request. */
  INTERNAL_ERROR: -32603,
  /** A frame above the server's size limit (an Invalid Request with its own type name). */
  MESSAGE_TOO_LARGE: -32600,
  // Kurento
  /** A parameter or property value could not be converted to its Kurento type. */
  MARSHALL_ERROR: 40001,
  /** The server failed in a way no other code describes; its message says how. */
  UNEXPECTED_ERROR: 40003,
  /**
   * Two elements could not be connected (for Medley: e.g. no common codec while transcoding is
   * off).
   */
  CONNECT_ERROR: 40004,
  /** A media type (AUDIO, VIDEO, DATA) the element does not handle. */
  UNSUPPORTED_MEDIA_TYPE: 40005,
  /** The method or feature exists in the Kurento API but this server does not implement it. */
  NOT_IMPLEMENTED: 40006,
  /**
   * The session is unknown to the server: it expired (its objects were released) or never existed.
   */
  INVALID_SESSION: 40007,
  /** A `transaction` request whose operations are malformed (ids, order, references). */
  MALFORMED_TRANSACTION: 40008,
  /**
   * The server refused a new object because it is busy (admission control); retry later or
   * elsewhere.
   */
  NOT_ENOUGH_RESOURCES: 40009,
  /** The server has no object type of that name. */
  MEDIA_OBJECT_TYPE_NOT_FOUND: 40100,
  /** No object has that id: it was released, with its pipeline, or with its expired session. */
  MEDIA_OBJECT_NOT_FOUND: 40101,
  /** The constructor parameters given match no constructor of the type. */
  MEDIA_OBJECT_CONSTRUCTOR_NOT_FOUND: 40104,
  /** The object has no method (or property accessor) of that name. */
  MEDIA_OBJECT_METHOD_NOT_FOUND: 40105,
  /** The object raises no event of that name, so it cannot be subscribed to. */
  MEDIA_OBJECT_EVENT_NOT_SUPPORTED: 40106,
  /**
   * A parameter is missing, of the wrong type, or out of range (a URI outside the media root, say).
   */
  MEDIA_OBJECT_ILLEGAL_PARAM_ERROR: 40107,
  /** The object exists but cannot serve the request now. */
  MEDIA_OBJECT_NOT_AVAILABLE: 40108,
  /** The object has no tag with that key. */
  MEDIA_OBJECT_TAG_KEY_NOT_FOUND: 40110,
  /** The object does not support the operation in its current state or configuration. */
  MEDIA_OBJECT_OPERATION_NOT_SUPPORTED: 40111,
  /** The server could not create an SDP. */
  SDP_CREATE_ERROR: 40200,
  /** The SDP given could not be parsed. */
  SDP_PARSE_ERROR: 40201,
  /** The endpoint has no local SDP yet (no offer generated or processed). */
  SDP_END_POINT_NO_LOCAL_SDP_ERROR: 40202,
  /** The endpoint has no remote SDP yet. */
  SDP_END_POINT_NO_REMOTE_SDP_ERROR: 40203,
  /** The endpoint could not generate an offer. */
  SDP_END_POINT_GENERATE_OFFER_ERROR: 40204,
  /** The endpoint could not process the offer. */
  SDP_END_POINT_PROCESS_OFFER_ERROR: 40205,
  /** The endpoint could not process the answer. */
  SDP_END_POINT_PROCESS_ANSWER_ERROR: 40206,
  /** The SDP settings of the endpoint are inconsistent. */
  SDP_CONFIGURATION_ERROR: 40207,
  /** The endpoint has negotiated already; a new negotiation needs a new endpoint. */
  SDP_END_POINT_ALREADY_NEGOTIATED: 40208,
  /** processAnswer without a prior generateOffer. */
  SDP_END_POINT_NOT_OFFER_GENERATED: 40209,
  /** The answer to this offer was processed already (Kurento's spelling). */
  SDP_END_POINT_ANSWER_ALREADY_PROCCESED: 40210,
  /** The endpoint could not create its media session (Kurento's spelling). */
  SDP_END_POINT_CANNOT_CREATE_SESSON: 40211,
  /** Candidate gathering could not start (e.g. before the SDP negotiation). */
  ICE_GATHER_CANDIDATES_ERROR: 40400,
  /** A remote ICE candidate could not be added (malformed, or for an unknown media section). */
  ICE_ADD_CANDIDATE_ERROR: 40401,
  /** The server has no module descriptor (KMD) of that name. */
  SERVER_MANAGER_ERROR_KMD_NOT_FOUND: 40500,
  /** The file a URI names does not exist or cannot be read. */
  URI_PATH_FILE_NOT_FOUND: 40600,
} as const;

/** The symbolic name of an error code, sent as the error's `data.type`. */
export type ErrorType = keyof typeof ErrorCodes;

/**
 * An error that reaches the client as a JSON-RPC error `{code, message, data: {type}}`.
 * The message says what was wrong and, where it helps, what to send instead.
 */
export class KurentoError extends Error {
  /** The symbolic name (`MEDIA_OBJECT_NOT_FOUND`), the answer's `data.type`. */
  readonly type: ErrorType;
  /** The number (40101), the answer's `code`. */
  readonly code: number;

  constructor(type: ErrorType, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KurentoError';
    this.type = type;
    this.code = ErrorCodes[type];
  }

  /** For errors of lower layers that carry a Kurento code (e.g. WebRtcTransportError). */
  static fromCode(code: number, message: string, cause?: unknown): KurentoError {
    const type = (Object.keys(ErrorCodes) as ErrorType[]).find(
      (name) => ErrorCodes[name] === code && code > 0,
    );
    return new KurentoError(type ?? 'UNEXPECTED_ERROR', message, { cause });
  }
}

/** Thrown by a value type when a parameter does not match its declared Kurento type. */
export class InvalidParamError extends KurentoError {
  constructor(message: string) {
    super('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', message);
    this.name = 'InvalidParamError';
  }
}

/** Wrong server options (CLI flags, environment, `createMediaServer` options). */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}
