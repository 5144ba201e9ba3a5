// Payload schemas. The server accepts any Standard Schema (https://standardschema.dev): zod,
// valibot, arktype and others implement it. The small builders below cover signaling payloads
// without a dependency, and are Standard Schemas themselves.

/** The Standard Schema interface, version 1. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The Standard Schema properties, under a name no schema library uses for its own API. */
  readonly '~standard': {
    /** The version of the Standard Schema interface. */
    readonly version: 1;
    /** The library that made the schema (`'medley'` for the builders here, `'zod'`...). */
    readonly vendor: string;
    /** Validates a value: the value as the schema outputs it, or the issues found. */
    readonly validate: (
      value: unknown,
    ) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
    /** Carries the input and output types for inference only; absent at run time. */
    readonly types?:
      | {
          /** What the schema accepts. */
          readonly input: Input;
          /** What it outputs. */
          readonly output: Output;
        }
      | undefined;
  };
}

/** What a Standard Schema's `validate` returns. */
export type StandardSchemaResult<Output> =
  | {
      /** The validated value (a schema may transform it; the builders here drop unknown keys). */
      readonly value: Output;
      /** Absent on success. */
      readonly issues?: undefined;
    }
  | {
      /** Why the value was refused. */
      readonly issues: ReadonlyArray<StandardSchemaIssue>;
    };

/** One reason a value was refused. */
export interface StandardSchemaIssue {
  /** What is wrong, e.g. `expected a string, got number`. */
  readonly message: string;
  /** Where in the value, from its root: property names and array indexes. */
  readonly path?:
    | ReadonlyArray<
        | PropertyKey
        | {
            /** A property name or array index. */
            readonly key: PropertyKey;
          }
      >
    | undefined;
}

/** The validated type of a schema: `type Join = Infer<typeof joinSchema>`. */
export type Infer<S> = S extends StandardSchemaV1<unknown, infer Output> ? Output : never;

/** Where a value sits in the payload: property names and array indexes from the root. */
export type Path = readonly PropertyKey[];
/** What {@link Schema.check} returns: the value, or the issues found. */
export type CheckResult<T> =
  | {
      /** The validated value. */
      value: T;
      /** Absent on success. */
      issues?: undefined;
    }
  | {
      /** Why the value was refused. */
      issues: StandardSchemaIssue[];
    };

/** A schema built here: a Standard Schema that also validates synchronously at a path. */
export interface Schema<T> extends StandardSchemaV1<unknown, T> {
  /** Validates `value`, found at `path` (named in the issues), without a promise. */
  check(value: unknown, path: Path): CheckResult<T>;
}

/** A schema whose value may be missing: as an object property, the property is optional. */
export interface OptionalSchema<T> extends Schema<T | undefined> {
  /** Marks the schema optional, for {@link object}'s output type. */
  readonly optional: true;
}

function define<T>(check: (value: unknown, path: Path) => CheckResult<T>): Schema<T> {
  return {
    check,
    '~standard': { version: 1, vendor: 'medley', validate: (value) => check(value, []) },
  };
}

const issue = (path: Path, message: string): { issues: StandardSchemaIssue[] } => ({
  issues: [{ message, path }],
});

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function primitive<T>(name: string, accepts: (value: unknown) => value is T): () => Schema<T> {
  return () =>
    define((value, path) =>
      accepts(value) ? { value } : issue(path, `expected ${name}, got ${describe(value)}`),
    );
}

/** A string (any, empty included). */
export const string = primitive('a string', (value): value is string => typeof value === 'string');

/** A finite number (not NaN or ±Infinity, which JSON cannot carry anyway). */
export const number = primitive(
  'a finite number',
  (value): value is number => typeof value === 'number' && Number.isFinite(value),
);

/** A safe integer (|n| ≤ 2^53 − 1). */
export const integer = primitive('an integer', (value): value is number =>
  Number.isSafeInteger(value),
);

/** `true` or `false`. */
export const boolean = primitive(
  'a boolean',
  (value): value is boolean => typeof value === 'boolean',
);

/** Accepts anything (the handler checks it). */
export const unknown = (): Schema<unknown> => define((value) => ({ value }));

/** One of the values given: `literal('audio', 'video')`. */
export function literal<const Values extends readonly (string | number | boolean)[]>(
  ...values: Values
): Schema<Values[number]> {
  return define((value, path) =>
    values.includes(value as Values[number])
      ? { value: value as Values[number] }
      : issue(path, `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}`),
  );
}

/** `schema`, or undefined; as an object property, the property may be missing. */
export function optional<T>(schema: Schema<T>): OptionalSchema<T> {
  return {
    ...define<T | undefined>((value, path) =>
      value === undefined ? { value } : schema.check(value, path),
    ),
    optional: true,
  };
}

/** `schema`, or null. */
export function nullable<T>(schema: Schema<T>): Schema<T | null> {
  return define<T | null>((value, path) =>
    value === null ? { value } : schema.check(value, path),
  );
}

/**
 * An array whose items all pass `item`; `maxLength` refuses longer arrays (set it for arrays a
 * client can make as long as it likes).
 */
export function array<T>(item: Schema<T>, options: { maxLength?: number } = {}): Schema<T[]> {
  const maxLength = options.maxLength ?? Number.POSITIVE_INFINITY;
  return define((value, path) => {
    if (!Array.isArray(value)) return issue(path, `expected an array, got ${describe(value)}`);
    if (value.length > maxLength) return issue(path, `expected at most ${maxLength} items`);
    const items: T[] = [];
    const issues: StandardSchemaIssue[] = [];
    value.forEach((element, index) => {
      const result = item.check(element, [...path, index]);
      if (result.issues) issues.push(...result.issues);
      else items.push(result.value);
    });
    return issues.length ? { issues } : { value: items };
  });
}

/** The properties of an {@link object} schema: a schema per property name. */
export type Shape = { readonly [key: string]: Schema<unknown> };
/** `T` with its intersections flattened into one object type, for readable hover types. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};
/** The keys of a shape whose schemas are {@link optional}. */
export type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never;
}[keyof S];
/** The type an {@link object} schema outputs: optional schemas give optional properties. */
export type ObjectOutput<S extends Shape> = Simplify<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & {
    [K in OptionalKeys<S>]?: Infer<S[K]>;
  }
>;

/**
 * A plain object with these properties. Properties not in the shape are dropped, so a handler
 * receives exactly what its type says.
 */
export function object<S extends Shape>(shape: S): Schema<ObjectOutput<S>> {
  const keys = Object.keys(shape);
  return define((value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return issue(path, `expected an object, got ${describe(value)}`);
    }
    const output: Record<string, unknown> = {};
    const issues: StandardSchemaIssue[] = [];
    for (const key of keys) {
      const property = Object.hasOwn(value, key)
        ? (value as Record<string, unknown>)[key]
        : undefined;
      const result = (shape[key] as Schema<unknown>).check(property, [...path, key]);
      if (result.issues) issues.push(...result.issues);
      else if (result.value !== undefined) output[key] = result.value;
    }
    return issues.length ? { issues } : { value: output as ObjectOutput<S> };
  });
}

/** One line for an error message: `room: expected a string, got number; ...`. */
export function formatIssues(issues: ReadonlyArray<StandardSchemaIssue>): string {
  const lines = issues.slice(0, 5).map((entry) => {
    const path = (entry.path ?? [])
      .map((segment) => String(typeof segment === 'object' ? segment.key : segment))
      .join('.');
    return path ? `${path}: ${entry.message}` : entry.message;
  });
  if (issues.length > 5) lines.push(`${issues.length - 5} more`);
  return lines.join('; ');
}
