import { KurentoError } from '../errors.js';
import type { MediaObject, ObjectInit } from './MediaObject.js';
import type { ServerContext } from './ServerContext.js';
import {
  type ParamSchema,
  type ParsedParams,
  parseFields,
  type ValueContext,
  type ValueType,
} from './valueTypes.js';

/**
 * Element types are described as data, one table per type, the way Kurento's kmd.json files
 * describe them: constructor params, methods, properties and events. The protocol layer derives
 * dispatch, parameter validation, `describe` and `getKmd` from these tables, so adding an element
 * means adding one file that exports its table.
 */

/** A remote method of a type table: its params and what it does (build it with `typeMembers`). */
export interface MethodSpec<T> {
  /**
   * The method's params by name, each with its Kurento type; they are validated before `invoke`.
   */
  readonly params: ParamSchema;
  /** Kurento type name of the result (`String`, `ElementConnectionData[]`); absent for void. */
  readonly returns?: string;
  /**
   * Runs the method on `target` with the validated params; its result (or promise) is the answer.
   * A thrown {@link KurentoError} reaches the client with its code.
   */
  invoke(target: T, params: Record<string, unknown>): unknown;
}

/**
 * A property of a type table: clients read it with `get<Name>` and, unless it is read-only,
 * write it with `set<Name>` (build it with `typeMembers`).
 */
export interface PropertySpec<T> {
  /** The property's Kurento type: a `set` value is validated against it. */
  readonly type: ValueType<unknown>;
  /** Reads the property of `target`. */
  get(target: T): unknown;
  /** Absent for read-only properties. */
  set?(target: T, value: unknown): unknown;
}

/**
 * The table of one object type, as a kmd.json `remoteClasses` entry: what {@link defineType}
 * turns into the {@link ObjectType} the server registers.
 */
export interface TypeSpec<T extends MediaObject, P extends ParamSchema> {
  /** The Kurento type name clients create (`WebRtcEndpoint`); unique in a server. */
  readonly name: string;
  /** Kurento module: `core`, `elements` or `filters` (reported by ServerManager.getInfo). */
  readonly module: string;
  /** The parent type, whose methods, properties and events this one inherits. */
  readonly extends?: ObjectType;
  /** Absent for abstract types, which exist only to share members. */
  readonly constructorParams?: P;
  /** May be async: an element that starts a process (a filter) resolves once it is usable. */
  create?(params: ParsedParams<P>, init: ObjectInit): T | Promise<T>;
  /** Remote methods, by name, added to the parent's. */
  readonly methods?: Readonly<Record<string, MethodSpec<T>>>;
  /** Properties, by name (`getName`/`setName` on the wire), added to the parent's. */
  readonly properties?: Readonly<Record<string, PropertySpec<T>>>;
  /** Kurento 7 event names this type raises (older aliases are resolved by the protocol). */
  readonly events?: readonly string[];
}

/** Typed builders for the method and property entries of a `TypeSpec<T>`. */
export function typeMembers<T extends MediaObject>() {
  return {
    /**
     * A method entry: `invoke` receives the target and the params parsed to their types;
     * `returns` is the Kurento type name of the result (omit it for void).
     */
    method<P extends ParamSchema>(
      params: P,
      invoke: (target: T, params: ParsedParams<P>) => unknown,
      returns?: string,
    ): MethodSpec<T> {
      return {
        params,
        ...(returns === undefined ? {} : { returns }),
        invoke: (target, parsed) => invoke(target, parsed as ParsedParams<P>),
      };
    },
    /** A property entry: `access.get` reads it; without `access.set` it is read-only. */
    property<V>(
      type: ValueType<V>,
      access: { get(target: T): V | Promise<V>; set?(target: T, value: V): void | Promise<void> },
    ): PropertySpec<T> {
      const { get, set } = access;
      return {
        type,
        get,
        ...(set === undefined
          ? {}
          : { set: (target: T, value: unknown) => set(target, value as V) }),
      };
    },
  };
}

/** An operation as the protocol sees it: validated params in, JSON-able value (or void) out. */
export interface Operation {
  /** The wire name: a method's, or `get<Name>` / `set<Name>` for a property. */
  readonly name: string;
  /** The params, validated before `invoke`. */
  readonly params: ParamSchema;
  /** Kurento type name of the result; undefined for void. */
  readonly returns: string | undefined;
  /** Runs the operation on `target` with the validated params. */
  invoke(target: MediaObject, params: Record<string, unknown>): unknown;
}

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** The runtime form of a type table, with inheritance resolved. */
export class ObjectType {
  /** The Kurento type name (`WebRtcEndpoint`). */
  readonly name: string;
  /** The Kurento module: `core`, `elements`, `filters`, or a custom element's own. */
  readonly module: string;
  /** The type this one extends; undefined for MediaObject. */
  readonly parent: ObjectType | undefined;
  /** True for types that cannot be created, only extended (their table has no `create`). */
  readonly abstract: boolean;
  /** The constructor params by name; empty for abstract types. */
  readonly constructorParams: ParamSchema;
  /** The events this type adds to its parent's. */
  readonly ownEvents: readonly string[];
  private readonly spec: TypeSpec<MediaObject, ParamSchema>;
  private readonly operations = new Map<string, Operation>();

  constructor(spec: TypeSpec<MediaObject, ParamSchema>) {
    this.spec = spec;
    this.name = spec.name;
    this.module = spec.module;
    this.parent = spec.extends;
    this.abstract = spec.create === undefined;
    this.constructorParams = spec.constructorParams ?? {};
    this.ownEvents = spec.events ?? [];
    for (const [name, method] of Object.entries(spec.methods ?? {})) {
      this.operations.set(name, {
        name,
        params: method.params,
        returns: method.returns,
        invoke: method.invoke,
      });
    }
    for (const [name, property] of Object.entries(spec.properties ?? {})) {
      this.addPropertyOperations(name, property);
    }
  }

  /** KMS qualifies the types of its own modules as `kurento.<Type>`. */
  get qualifiedName(): string {
    const namespace = ['core', 'elements', 'filters'].includes(this.module)
      ? 'kurento'
      : this.module;
    return `${namespace}.${this.name}`;
  }

  /** Qualified names of the ancestors, nearest first (the `hierarchy` of a describe answer). */
  get hierarchy(): string[] {
    const names: string[] = [];
    for (let type = this.parent; type; type = type.parent) names.push(type.qualifiedName);
    return names;
  }

  /** Whether this type is `typeName` or extends it; takes plain or qualified names. */
  isA(typeName: string): boolean {
    for (let type: ObjectType | undefined = this; type; type = type.parent) {
      if (type.name === typeName || type.qualifiedName === typeName) return true;
    }
    return false;
  }

  /** The operation a client invokes as `name`, this type's or an ancestor's; undefined if none. */
  findOperation(name: string): Operation | undefined {
    return this.operations.get(name) ?? this.parent?.findOperation(name);
  }

  /** Every event objects of this type raise, the ancestors' first. */
  get events(): string[] {
    return [...(this.parent?.events ?? []), ...this.ownEvents];
  }

  /** Whether objects of this type raise the event `name` (a client may subscribe to it). */
  raisesEvent(name: string): boolean {
    return this.ownEvents.includes(name) || (this.parent?.raisesEvent(name) ?? false);
  }

  /** Validates the constructor params and builds an instance (not yet registered). */
  async instantiate(
    constructorParams: Record<string, unknown>,
    values: ValueContext,
    context: ServerContext,
  ): Promise<MediaObject> {
    const create = this.spec.create;
    if (!create) {
      throw new KurentoError(
        'MEDIA_OBJECT_CONSTRUCTOR_NOT_FOUND',
        `${this.name} is abstract and cannot be created; create one of its concrete types`,
      );
    }
    const params = parseFields(this.constructorParams, constructorParams, '', values);
    return create(params, { type: this, context });
  }

  /** The kmd.json `remoteClasses` entry of this type, for ServerManager.getKmd. */
  toKmd(): Record<string, unknown> {
    const paramsToKmd = (params: ParamSchema) =>
      Object.entries(params).map(([name, type]) => ({
        name,
        type: type.name,
        ...(type.optional ? { optional: true } : {}),
      }));
    const methods = Object.entries(this.spec.methods ?? {}).map(([name, method]) => ({
      name,
      params: paramsToKmd(method.params),
      ...(method.returns ? { return: { type: method.returns } } : {}),
    }));
    const properties = Object.entries(this.spec.properties ?? {}).map(([name, property]) => ({
      name,
      type: property.type.name,
      ...(property.set ? {} : { readOnly: true }),
    }));
    return {
      name: this.name,
      ...(this.parent ? { extends: this.parent.name } : {}),
      ...(this.abstract ? { abstract: true } : {}),
      ...(this.abstract ? {} : { constructor: { params: paramsToKmd(this.constructorParams) } }),
      methods,
      properties,
      events: [...this.ownEvents],
    };
  }

  private addPropertyOperations(name: string, property: PropertySpec<MediaObject>): void {
    const suffix = capitalize(name);
    this.operations.set(`get${suffix}`, {
      name: `get${suffix}`,
      params: {},
      returns: property.type.name,
      invoke: (target) => property.get(target),
    });
    const set = property.set;
    if (set) {
      this.operations.set(`set${suffix}`, {
        name: `set${suffix}`,
        params: { [name]: property.type },
        returns: undefined,
        invoke: (target, params) => set(target, params[name]),
      });
    }
  }
}

/** Turns a type table into the runtime type the server registers. */
export function defineType<T extends MediaObject, P extends ParamSchema = Record<never, never>>(
  spec: TypeSpec<T, P>,
): ObjectType {
  // The table's functions receive only instances of T: ObjectType.instantiate builds them with
  // `create`, and the protocol dispatches on the type an instance was built with.
  return new ObjectType(spec as unknown as TypeSpec<MediaObject, ParamSchema>);
}
