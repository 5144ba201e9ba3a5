import type { TypeSpec } from '../model/schema.js';
import { isKnownType, schema } from '../model/schema.js';
import type { JsonRpcParams } from '../rpc/messages.js';
import { RemoteMediaObject } from './RemoteMediaObject.js';

/** The Kurento module that defines the complex types this client sends. */
const KURENTO_MODULE = 'kurento';

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

/** Marks a complex value with its Kurento type, as KMS expects for registered types. */
export function tagComplexValue(value: unknown, complexType: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return { ...value, __module__: KURENTO_MODULE, __type__: complexType };
}

/** Tags the complex-valued constructor parameters of `type` (e.g. an RtpEndpoint's SDES crypto). */
export function tagConstructorParams(type: string, params: JsonRpcParams): JsonRpcParams {
  const complexParams: Readonly<Record<string, string>> | undefined = isKnownType(type)
    ? (schema[type] as TypeSpec).complexConstructorParams
    : undefined;
  if (!complexParams) return params;
  const tagged: JsonRpcParams = { ...params };
  for (const [name, complexType] of Object.entries(complexParams)) {
    if (tagged[name] !== undefined) tagged[name] = tagComplexValue(tagged[name], complexType);
  }
  return tagged;
}
