import { InvalidParamError, KurentoError } from '../errors.js';
import type { MediaObject } from './MediaObject.js';

/** What a value type needs to turn an object id from a request into the object. */
export interface ValueContext {
  /** The live object with this id, or undefined (released, or never created). */
  findObject(id: string): MediaObject | undefined;
}

/**
 * A Kurento value type (the `type` of a kmd.json param or property): it knows its Kurento name,
 * for describe and error messages, and turns a JSON value from a request into a typed value.
 */
export interface ValueType<T> {
  /** Name as kmd.json spells it: `String`, `int`, `MediaType`, `IceCandidate`, `MediaElement[]`. */
  readonly name: string;
  /** Whether the param may be absent (see {@link optional}); kmd.json's `optional`. */
  readonly optional: boolean;
  /**
   * Checks and converts a JSON value; throws InvalidParamError (40107) or KurentoError
   * MEDIA_OBJECT_NOT_FOUND with a message naming `path`.
   *
   * `path` names the value in error messages (`candidate.sdpMLineIndex`). */
  parse(value: unknown, path: string, context: ValueContext): T;
}

/** Params (or fields) by name, each with its value type: `{ uri: t.string, ... }`. */
export type ParamSchema = Readonly<Record<string, ValueType<unknown>>>;
/** The values a {@link ParamSchema} parses to: `{ uri: string, ... }`. */
export type ParsedParams<P extends ParamSchema> = {
  [K in keyof P]: P[K] extends ValueType<infer T> ? T : never;
};

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function mismatch(path: string, expected: string, value: unknown): InvalidParamError {
  if (value === undefined) {
    return new InvalidParamError(`Missing required parameter '${path}' (${expected})`);
  }
  return new InvalidParamError(
    `Parameter '${path}' must be ${expected}, got ${describeValue(value)}`,
  );
}

function required<T>(name: string, accept: (value: unknown) => value is T): ValueType<T> {
  return {
    name,
    optional: false,
    parse(value, path) {
      if (!accept(value)) throw mismatch(path, name, value);
      return value;
    },
  };
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);
const isInt = (value: unknown): value is number =>
  Number.isInteger(value) && (value as number) >= -(2 ** 31) && (value as number) < 2 ** 31;
const isInt64 = (value: unknown): value is number => Number.isSafeInteger(value);

/** Kurento `String`. */
export const string: ValueType<string> = required('String', isString);
/** Kurento `boolean`. */
export const boolean: ValueType<boolean> = required('boolean', isBoolean);
/** Kurento `int`: an integer in the signed 32-bit range. */
export const int: ValueType<number> = required('int', isInt);
/** Kurento `int64`: a safe integer (JSON numbers cannot hold all 64 bits). */
export const int64: ValueType<number> = required('int64', isInt64);
/** Kurento `float`: any finite number. */
export const float: ValueType<number> = required('float', isNumber);
/** Kurento `double`: any finite number. */
export const double: ValueType<number> = required('double', isNumber);

/** An optional param: absent or `null` gives `defaultValue`. */
export function optional<T>(type: ValueType<T>): ValueType<T | undefined>;
export function optional<T>(type: ValueType<T>, defaultValue: T): ValueType<T>;
export function optional<T>(type: ValueType<T>, defaultValue?: T): ValueType<T | undefined> {
  return {
    name: type.name,
    optional: true,
    parse(value, path, context) {
      if (value === undefined || value === null) return defaultValue;
      return type.parse(value, path, context);
    },
  };
}

/** A kmd.json ENUM: a string out of a fixed list. */
export function enumeration<const V extends string>(
  name: string,
  values: readonly V[],
): ValueType<V> & {
  /** The accepted strings, for kmd.json and error messages. */
  readonly values: readonly V[];
} {
  return {
    name,
    values,
    optional: false,
    parse(value, path) {
      if (typeof value === 'string' && (values as readonly string[]).includes(value)) {
        return value as V;
      }
      throw mismatch(path, `${name} (one of ${values.join(', ')})`, value);
    },
  };
}

/** Kurento `<Item>[]`: an array whose entries all parse as `item`. */
export function array<T>(item: ValueType<T>): ValueType<T[]> {
  const name = `${item.name}[]`;
  return {
    name,
    optional: false,
    parse(value, path, context) {
      if (!Array.isArray(value)) throw mismatch(path, name, value);
      return value.map((entry, index) => item.parse(entry, `${path}[${index}]`, context));
    },
  };
}

/** A kmd.json REGISTER type: an object with named fields, sent with `__module__`/`__type__`. */
export function register<F extends ParamSchema>(
  name: string,
  fields: F,
): ValueType<ParsedParams<F>> & {
  /** The fields by name, for kmd.json. */
  readonly fields: F;
} {
  return {
    name,
    fields,
    optional: false,
    parse(value, path, context) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw mismatch(path, name, value);
      }
      const record = value as Record<string, unknown>;
      if (record.__type__ !== undefined && record.__type__ !== name) {
        throw mismatch(path, name, `${String(record.__type__)}`);
      }
      return parseFields(fields, record, `${path}.`, context);
    },
  };
}

/** A MediaObject passed by id; `typeName` is checked against the object's type hierarchy. */
export function mediaObject<T extends MediaObject>(typeName: string): ValueType<T> {
  return {
    name: typeName,
    optional: false,
    parse(value, path, context) {
      if (typeof value !== 'string') throw mismatch(path, `a ${typeName} id`, value);
      const found = context.findObject(value);
      if (!found) {
        throw new KurentoError(
          'MEDIA_OBJECT_NOT_FOUND',
          `Parameter '${path}': object '${value}' not found`,
        );
      }
      if (!found.type.isA(typeName)) {
        throw new InvalidParamError(
          `Parameter '${path}' must be a ${typeName} id, got a ${found.type.name} ('${value}')`,
        );
      }
      return found as T;
    },
  };
}

/** Any JSON value named `name`: for results the server builds itself (ServerInfo, Stats). */
export function opaque(name: string): ValueType<unknown> {
  return {
    name,
    optional: false,
    parse(value, path) {
      if (value === undefined) throw mismatch(path, name, value);
      return value;
    },
  };
}

/**
 * Parses each field of `schema` out of `values` (missing ones are undefined, which only optional
 * types accept), naming them `<pathPrefix><field>` in errors. Fields not in `schema` are dropped.
 */
export function parseFields<F extends ParamSchema>(
  schema: F,
  values: Record<string, unknown>,
  pathPrefix: string,
  context: ValueContext,
): ParsedParams<F> {
  const parsed: Record<string, unknown> = {};
  for (const [key, type] of Object.entries(schema)) {
    parsed[key] = type.parse(values[key], `${pathPrefix}${key}`, context);
  }
  return parsed as ParsedParams<F>;
}
