import { MediaObject } from './MediaObject.js';

/** Converts a result or event payload to JSON: media objects travel as their ids. */
export function toWireValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof MediaObject) return value.id;
  if (Array.isArray(value)) return value.map(toWireValue);
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (entry !== undefined) result[key] = toWireValue(entry);
  }
  return result;
}
