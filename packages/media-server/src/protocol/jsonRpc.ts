import { type ErrorType, KurentoError } from '../errors.js';

/** JSON-RPC 2.0 messages as the Kurento Protocol uses them (named params only, no batches). */

export type JsonRpcId = string | number | null;

export interface JsonRpcRequest {
  readonly jsonrpc: '2.0';
  /** Absent for notifications, which get no response. */
  readonly id?: JsonRpcId;
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface JsonRpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: { readonly type: string };
}

export type JsonRpcResponse =
  | { readonly jsonrpc: '2.0'; readonly id: JsonRpcId; readonly result: Record<string, unknown> }
  | { readonly jsonrpc: '2.0'; readonly id: JsonRpcId; readonly error: JsonRpcErrorObject };

export interface JsonRpcNotification {
  readonly jsonrpc: '2.0';
  readonly method: string;
  readonly params: Record<string, unknown>;
}

export type ParsedFrame =
  | { readonly kind: 'request'; readonly request: JsonRpcRequest }
  | { readonly kind: 'invalid'; readonly response: JsonRpcResponse }
  /** A response or error sent by the client: we never send requests, so there is nothing to match. */
  | { readonly kind: 'ignored' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === 'string' || typeof value === 'number';
}

export function errorResponse(id: JsonRpcId, error: KurentoError): JsonRpcResponse {
  return {
    jsonrpc: '2.0',
    id,
    error: { code: error.code, message: error.message, data: { type: error.type } },
  };
}

export function resultResponse(id: JsonRpcId, result: Record<string, unknown>): JsonRpcResponse {
  return { jsonrpc: '2.0', id, result };
}

function invalid(id: JsonRpcId, type: ErrorType, message: string): ParsedFrame {
  return { kind: 'invalid', response: errorResponse(id, new KurentoError(type, message)) };
}

/** Validates one text frame; never throws. */
export function parseFrame(text: string): ParsedFrame {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return invalid(null, 'PARSE_ERROR', `Parse error: the frame is not valid JSON (${reason})`);
  }
  if (!isRecord(message)) {
    return invalid(
      null,
      'INVALID_REQUEST',
      'Invalid request: send one JSON-RPC 2.0 request object per frame (batches are not supported)',
    );
  }
  const id = message.id;
  if (id !== undefined && !isId(id)) {
    return invalid(null, 'INVALID_REQUEST', "Invalid request: 'id' must be a string or a number");
  }
  const replyId = id ?? null;
  if (message.jsonrpc !== '2.0') {
    return invalid(replyId, 'INVALID_REQUEST', 'Invalid request: "jsonrpc" must be "2.0"');
  }
  if (message.method === undefined && ('result' in message || 'error' in message)) {
    return { kind: 'ignored' };
  }
  if (typeof message.method !== 'string' || message.method === '') {
    return invalid(replyId, 'INVALID_REQUEST', "Invalid request: 'method' must be a string");
  }
  const params = message.params ?? {};
  if (!isRecord(params)) {
    return invalid(replyId, 'INVALID_PARAMS', "Invalid params: 'params' must be an object");
  }
  return {
    kind: 'request',
    request: {
      jsonrpc: '2.0',
      ...(id === undefined ? {} : { id }),
      method: message.method,
      params,
    },
  };
}

/** Any thrown value as a client-facing error; unexpected ones keep their message. */
export function toKurentoError(error: unknown): KurentoError {
  if (error instanceof KurentoError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new KurentoError('UNEXPECTED_ERROR', `Unexpected error: ${message}`);
}
