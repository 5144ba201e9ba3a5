import { complexValue } from '../objects/complexTypes.js';

/**
 * `value` as KMS sends a complex value, with `__module__` and `__type__` (Kurento's complex type
 * name), keeping its own type for the code that builds it.
 */
export function tagged<T extends object>(complexType: string, value: T): T {
  return complexValue(complexType, value as Readonly<Record<string, unknown>>) as T;
}
