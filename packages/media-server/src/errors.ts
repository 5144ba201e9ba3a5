/**
 * Error codes of the Kurento Protocol (KMS `KurentoException.hpp`) and of JSON-RPC 2.0. Clients
 * branch on the numeric code; `data.type` carries the symbolic name, as KMS sends it.
 */
export const ErrorCodes = {
  // JSON-RPC 2.0
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** A frame above the server's size limit (an Invalid Request with its own type name). */
  MESSAGE_TOO_LARGE: -32600,
  // Kurento
  MARSHALL_ERROR: 40001,
  UNEXPECTED_ERROR: 40003,
  CONNECT_ERROR: 40004,
  UNSUPPORTED_MEDIA_TYPE: 40005,
  NOT_IMPLEMENTED: 40006,
  INVALID_SESSION: 40007,
  MALFORMED_TRANSACTION: 40008,
  NOT_ENOUGH_RESOURCES: 40009,
  MEDIA_OBJECT_TYPE_NOT_FOUND: 40100,
  MEDIA_OBJECT_NOT_FOUND: 40101,
  MEDIA_OBJECT_CONSTRUCTOR_NOT_FOUND: 40104,
  MEDIA_OBJECT_METHOD_NOT_FOUND: 40105,
  MEDIA_OBJECT_EVENT_NOT_SUPPORTED: 40106,
  MEDIA_OBJECT_ILLEGAL_PARAM_ERROR: 40107,
  MEDIA_OBJECT_NOT_AVAILABLE: 40108,
  MEDIA_OBJECT_TAG_KEY_NOT_FOUND: 40110,
  MEDIA_OBJECT_OPERATION_NOT_SUPPORTED: 40111,
  SDP_CREATE_ERROR: 40200,
  SDP_PARSE_ERROR: 40201,
  SDP_END_POINT_NO_LOCAL_SDP_ERROR: 40202,
  SDP_END_POINT_NO_REMOTE_SDP_ERROR: 40203,
  SDP_END_POINT_GENERATE_OFFER_ERROR: 40204,
  SDP_END_POINT_PROCESS_OFFER_ERROR: 40205,
  SDP_END_POINT_PROCESS_ANSWER_ERROR: 40206,
  SDP_CONFIGURATION_ERROR: 40207,
  SDP_END_POINT_ALREADY_NEGOTIATED: 40208,
  SDP_END_POINT_NOT_OFFER_GENERATED: 40209,
  SDP_END_POINT_ANSWER_ALREADY_PROCCESED: 40210,
  SDP_END_POINT_CANNOT_CREATE_SESSON: 40211,
  ICE_GATHER_CANDIDATES_ERROR: 40400,
  ICE_ADD_CANDIDATE_ERROR: 40401,
  SERVER_MANAGER_ERROR_KMD_NOT_FOUND: 40500,
  URI_PATH_FILE_NOT_FOUND: 40600,
} as const;

export type ErrorType = keyof typeof ErrorCodes;

/**
 * An error that reaches the client as a JSON-RPC error `{code, message, data: {type}}`.
 * The message says what was wrong and, where it helps, what to send instead.
 */
export class KurentoError extends Error {
  readonly type: ErrorType;
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
