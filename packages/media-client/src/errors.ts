/**
 * The error codes of the Kurento Protocol (KurentoException.hpp) and of JSON-RPC 2.0, by name.
 * The name is what callers branch on; the number is what goes over the wire.
 */
export const kurentoErrorCodes = {
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

/** A Kurento error name, or `UNKNOWN_ERROR` for a number this client does not know. */
export type MediaServerErrorCode = keyof typeof kurentoErrorCodes | 'UNKNOWN_ERROR';

const codeByNumber = new Map<number, MediaServerErrorCode>();
for (const [name, value] of Object.entries(kurentoErrorCodes)) {
  if (!codeByNumber.has(value)) codeByNumber.set(value, name as MediaServerErrorCode);
}

/** The name in `data.type` when it is one we know (it tells apart codes that share a number). */
function codeOf(error: JsonRpcErrorObject): MediaServerErrorCode {
  const type = (error.data as { type?: unknown } | undefined)?.type;
  if (typeof type === 'string' && Object.hasOwn(kurentoErrorCodes, type)) {
    return type as MediaServerErrorCode;
  }
  return codeByNumber.get(error.code) ?? 'UNKNOWN_ERROR';
}

/** What a caller can do about each error, appended to the server's own message. */
const remedies: Partial<Record<MediaServerErrorCode, string>> = {
  MARSHALL_ERROR: 'Check the parameter types against the element API.',
  INVALID_SESSION:
    'The session expired on the server and its objects were released: create them again.',
  MALFORMED_TRANSACTION: 'Every operation of a transaction needs an id equal to its index.',
  MEDIA_OBJECT_TYPE_NOT_FOUND:
    'The server has no such type: check the spelling and that the server provides it.',
  MEDIA_OBJECT_NOT_FOUND:
    'The object was released (or its pipeline was, or its session expired): create it again.',
  MEDIA_OBJECT_CONSTRUCTOR_NOT_FOUND: 'Check the constructor parameters of the type.',
  MEDIA_OBJECT_METHOD_NOT_FOUND:
    'The object has no such method: check the method name and the object type.',
  MEDIA_OBJECT_EVENT_NOT_SUPPORTED: 'The object does not raise this event: check the event name.',
  MEDIA_OBJECT_ILLEGAL_PARAM_ERROR: 'A parameter is missing or has a wrong value.',
  MEDIA_OBJECT_TAG_KEY_NOT_FOUND: 'The object has no tag with this key: check getTags().',
  METHOD_NOT_FOUND: 'The server does not implement this protocol method.',
  INVALID_PARAMS: 'The request parameters are malformed.',
  SDP_END_POINT_ALREADY_NEGOTIATED:
    'An endpoint negotiates once: create a new endpoint for a new offer.',
  SDP_PARSE_ERROR: 'The SDP could not be parsed: pass the complete offer or answer text.',
  NOT_ENOUGH_RESOURCES: 'The server is out of resources: release unused pipelines.',
  URI_PATH_FILE_NOT_FOUND: 'Check the URI: the file must exist and be readable by the server.',
};

/** The `error` member of a JSON-RPC response from a Kurento server. */
export interface JsonRpcErrorObject {
  /**
   * The number: a JSON-RPC code (negative) or a Kurento one (40001...), see {@link
   * kurentoErrorCodes}.
   */
  code: number;
  /** The server's explanation. */
  message: string;
  /** Details; Kurento servers send `{ type: '<code name>' }`. */
  data?: unknown;
}

/**
 * An error answered by the media server. `code` is the Kurento name to branch on
 * (`MEDIA_OBJECT_NOT_FOUND`), `kurentoCode` the number on the wire (40101).
 */
export class MediaServerError extends Error {
  /** Always `'MediaServerError'`. */
  override readonly name = 'MediaServerError';
  /** The Kurento name of the error, to branch on. */
  readonly code: MediaServerErrorCode;
  /** The number the server answered (40101, or a JSON-RPC code such as -32601). */
  readonly kurentoCode: number;
  /** The `data` member of the response, e.g. `{type: 'MEDIA_OBJECT_NOT_FOUND'}`. */
  readonly data: unknown;
  /** The request that failed: `invoke WebRtcEndpoint.processOffer`, `create MediaPipeline`. */
  readonly request: string;

  constructor(error: JsonRpcErrorObject, request: string) {
    const code = codeOf(error);
    const remedy = remedies[code];
    super(
      `${request} failed: ${error.message} (${code} ${error.code}).${remedy ? ` ${remedy}` : ''}`,
    );
    this.code = code;
    this.kurentoCode = error.code;
    this.data = error.data;
    this.request = request;
  }
}

/** What went wrong in the client itself (each member says when), to branch on. */
export type MediaClientErrorCode =
  /** The WebSocket could not be opened. */
  | 'CONNECTION_FAILED'
  /** The connection was lost and could not be re-established within the reconnect policy. */
  | 'CONNECTION_CLOSED'
  /** `close()` was called: the client sends nothing more. */
  | 'CLIENT_CLOSED'
  /** No answer arrived within the request timeout. */
  | 'REQUEST_TIMEOUT'
  /** The server forgot our session after a reconnect: every object we held is gone. */
  | 'SESSION_LOST'
  /** The server sent something that is not a valid Kurento Protocol answer. */
  | 'PROTOCOL_ERROR'
  /** A transaction operation the server did not run, because an earlier one failed. */
  | 'TRANSACTION_ABORTED'
  /** A transaction was misused: an object used before its transaction committed, or after. */
  | 'TRANSACTION_STATE'
  /** An argument is invalid before anything is sent: unknown event name, missing parameter. */
  | 'INVALID_ARGUMENT'
  /** A media-server pool has no server to place work on: all are down or refuse new objects. */
  | 'NO_MEDIA_SERVER';

/** An error raised by this client itself, never answered by the server. */
export class MediaClientError extends Error {
  /** Always `'MediaClientError'`. */
  override readonly name = 'MediaClientError';
  constructor(
    /** What went wrong. */
    readonly code: MediaClientErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Whether `error` is a {@link MediaServerError} (of `code`, when given); it narrows the type:
 * `if (isMediaServerError(error, 'MEDIA_OBJECT_NOT_FOUND')) createAgain();`.
 */
export function isMediaServerError(
  error: unknown,
  code?: MediaServerErrorCode,
): error is MediaServerError {
  return error instanceof MediaServerError && (code === undefined || error.code === code);
}
