import type { JsonRpcParams } from '../rpc/messages.js';
import { RemoteMediaObject } from './RemoteMediaObject.js';

/** Turns a caller's value into its wire form: MediaObjects become their reference. */
export function toWireValue(
  value: unknown,
  referenceOf: (object: RemoteMediaObject) => string,
): unknown {
  if (value instanceof RemoteMediaObject) return referenceOf(value);
  if (Array.isArray(value)) return value.map((item) => toWireValue(item, referenceOf));
  if (typeof value === 'object' && value !== null) {
    const wire: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) wire[key] = toWireValue(item, referenceOf);
    }
    return wire;
  }
  return value;
}

export function toWireParams(
  params: JsonRpcParams,
  referenceOf: (object: RemoteMediaObject) => string,
): JsonRpcParams {
  return toWireValue(params, referenceOf) as JsonRpcParams;
}
