import type { JsonRpcErrorObject } from '../errors.js';

export type JsonRpcParams = Record<string, unknown>;

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: number;
  method: string;
  params?: JsonRpcParams;
}

export interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: number | string | null;
  result?: unknown;
  error?: JsonRpcErrorObject;
}

export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: unknown;
}

export type IncomingMessage =
  | { kind: 'response'; message: JsonRpcResponse }
  | { kind: 'notification'; message: JsonRpcNotification }
  | { kind: 'invalid'; reason: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isJsonRpcErrorObject(value: unknown): value is JsonRpcErrorObject {
  return isObject(value) && typeof value.code === 'number' && typeof value.message === 'string';
}

/** Classifies one frame from the server without trusting its shape. */
export function parseIncoming(data: unknown): IncomingMessage {
  if (typeof data !== 'string') return { kind: 'invalid', reason: 'binary frame' };
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return { kind: 'invalid', reason: 'not JSON' };
  }
  if (!isObject(message) || message.jsonrpc !== '2.0') {
    return { kind: 'invalid', reason: 'not JSON-RPC 2.0' };
  }
  if (typeof message.method === 'string') {
    return { kind: 'notification', message: message as unknown as JsonRpcNotification };
  }
  if ('result' in message || isJsonRpcErrorObject(message.error)) {
    return { kind: 'response', message: message as unknown as JsonRpcResponse };
  }
  return { kind: 'invalid', reason: 'neither a response nor a notification' };
}
