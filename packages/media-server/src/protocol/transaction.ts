import { KurentoError } from '../errors.js';
import type { JsonRpcRequest, JsonRpcResponse } from './jsonRpc.js';

/**
 * `transaction {operations}` runs requests in order within one round trip; operation i has id i,
 * and the string `"newref:N"` anywhere in its params stands for the value operation N returned
 * (typically the id of an object created earlier in the same transaction).
 */

const NEW_REF = 'newref:';

function malformed(message: string): KurentoError {
  return new KurentoError('MALFORMED_TRANSACTION', message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the whole transaction before any of it runs, so a malformed one changes nothing. */
export function parseOperations(operations: unknown): JsonRpcRequest[] {
  if (!Array.isArray(operations)) {
    throw malformed("Malformed transaction: 'operations' must be an array of JSON-RPC requests");
  }
  return operations.map((operation: unknown, index) => {
    if (!isRecord(operation))
      throw malformed(`Malformed transaction: operation ${index} is not an object`);
    if (operation.id !== index) {
      throw malformed(`Malformed transaction: id of request '${index}' should be '${index}'`);
    }
    if (typeof operation.method !== 'string') {
      throw malformed(`Malformed transaction: operation ${index} has no 'method'`);
    }
    const params = operation.params ?? {};
    if (!isRecord(params)) {
      throw malformed(`Malformed transaction: 'params' of operation ${index} must be an object`);
    }
    checkReferences(params, index);
    return { jsonrpc: '2.0', id: index, method: operation.method, params };
  });
}

function referencedIndex(text: string): number | undefined {
  if (!text.startsWith(NEW_REF) || text.length === NEW_REF.length) return undefined;
  const reference = text.slice(NEW_REF.length);
  if (!/^\d+$/.test(reference)) throw malformed(`Invalid index of newref '${reference}'`);
  return Number(reference);
}

function checkReferences(value: unknown, operationIndex: number): void {
  if (typeof value === 'string') {
    const index = referencedIndex(value);
    if (index !== undefined && index >= operationIndex) {
      throw malformed(
        `Malformed transaction: operation ${operationIndex} refers to '${value}', which is not an earlier operation`,
      );
    }
  } else if (Array.isArray(value)) {
    for (const entry of value) checkReferences(entry, operationIndex);
  } else if (isRecord(value)) {
    for (const entry of Object.values(value)) checkReferences(entry, operationIndex);
  }
}

/** Replaces every `"newref:N"` with operation N's result value. */
export function resolveReferences(value: unknown, responses: readonly JsonRpcResponse[]): unknown {
  if (typeof value === 'string') {
    const index = referencedIndex(value);
    if (index === undefined) return value;
    const response = responses[index];
    if (!response || !('result' in response) || response.result.value === undefined) {
      throw malformed(`Result not found on request ${index}`);
    }
    return response.result.value;
  }
  if (Array.isArray(value)) return value.map((entry) => resolveReferences(entry, responses));
  if (isRecord(value)) {
    const resolved: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) {
      resolved[key] = resolveReferences(entry, responses);
    }
    return resolved;
  }
  return value;
}
