// Payload schemas. The server accepts any Standard Schema (https://standardschema.dev): zod,
// valibot, arktype and others implement it. The small builders below cover signaling payloads
// without a dependency, and are Standard Schemas themselves.

/** The Standard Schema interface, version 1. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

export type StandardSchemaResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardSchemaIssue> };

export interface StandardSchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** The validated type of a schema: `type Join = Infer<typeof joinSchema>`. */
export type Infer<S> = S extends StandardSchemaV1<unknown, infer Output> ? Output : never;

type Path = readonly PropertyKey[];
type CheckResult<T> = { value: T; issues?: undefined } | { issues: StandardSchemaIssue[] };

/** A schema built here: a Standard Schema that also validates synchronously at a path. */
export interface Schema<T> extends StandardSchemaV1<unknown, T> {
  check(value: unknown, path: Path): CheckResult<T>;
}

/** A schema whose value may be missing: as an object property, the property is optional. */
export interface OptionalSchema<T> extends Schema<T | undefined> {
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

export const string = primitive('a string', (value): value is string => typeof value === 'string');

export const number = primitive(
  'a finite number',
  (value): value is number => typeof value === 'number' && Number.isFinite(value),
);

export const integer = primitive('an integer', (value): value is number =>
  Number.isSafeInteger(value),
);

export const boolean = primitive(
  'a boolean',
  (value): value is boolean => typeof value === 'boolean',
);

/** Accepts anything (the handler checks it). */
export const unknown = (): Schema<unknown> => define((value) => ({ value }));

export function literal<const Values extends readonly (string | number | boolean)[]>(
  ...values: Values
): Schema<Values[number]> {
  return define((value, path) =>
    values.includes(value as Values[number])
      ? { value: value as Values[number] }
      : issue(path, `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}`),
  );
}

export function optional<T>(schema: Schema<T>): OptionalSchema<T> {
  return {
    ...define<T | undefined>((value, path) =>
      value === undefined ? { value } : schema.check(value, path),
    ),
    optional: true,
  };
}

export function nullable<T>(schema: Schema<T>): Schema<T | null> {
  return define<T | null>((value, path) =>
    value === null ? { value } : schema.check(value, path),
  );
}

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

type Shape = { readonly [key: string]: Schema<unknown> };
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never;
}[keyof S];
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
