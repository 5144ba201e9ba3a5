import { isKnownType, schema } from '../model/schema.js';
import type { JsonRpcParams } from '../rpc/messages.js';

/** The Kurento module that defines the complex types this client sends. */
const KURENTO_MODULE = 'kurento';

/** Marks a complex value with its Kurento type, as KMS expects for registered types. */
export function tagComplexValue(value: unknown, complexType: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return { ...value, __module__: KURENTO_MODULE, __type__: complexType };
}

/** Tags the complex-valued constructor parameters of `type` (e.g. an RtpEndpoint's SDES crypto). */
export function tagConstructorParams(type: string, params: JsonRpcParams): JsonRpcParams {
  const complexParams: Readonly<Record<string, string>> | undefined = isKnownType(type)
    ? schema[type].complexConstructorParams
    : undefined;
  if (!complexParams) return params;
  const tagged: JsonRpcParams = { ...params };
  for (const [name, complexType] of Object.entries(complexParams)) {
    if (tagged[name] !== undefined) tagged[name] = tagComplexValue(tagged[name], complexType);
  }
  return tagged;
}
