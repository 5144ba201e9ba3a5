import type { MediaObjectTypeName } from '../model/api.js';
import { isKnownType, schema } from '../model/schema.js';
import type { JsonRpcParams } from '../rpc/messages.js';
import type { ObjectContext } from './ObjectContext.js';
import type { ObjectBinding } from './RemoteMediaObject.js';
import { RemoteMediaObject } from './RemoteMediaObject.js';

type ObjectClass = typeof RemoteMediaObject;

/** Methods that run on the client rather than as one remote call, added to a type's class. */
const clientSideMethods: Partial<Record<MediaObjectTypeName, (Base: ObjectClass) => ObjectClass>> =
  {
    MediaPipeline: (Base) =>
      class extends Base {
        create(type: string, params: JsonRpcParams = {}): Promise<RemoteMediaObject> {
          return this.context.create(type, { ...params, mediaPipeline: this });
        }
      },
  };

const classes = new Map<MediaObjectTypeName, ObjectClass>();

/** The class of a type: RemoteMediaObject extended, level by level, with the schema's methods. */
function classOf(type: MediaObjectTypeName): ObjectClass {
  const cached = classes.get(type);
  if (cached) return cached;
  const spec = schema[type];
  const Parent = spec.parent ? classOf(spec.parent) : RemoteMediaObject;
  const TypeClass = (clientSideMethods[type] ?? ((Base) => class extends Base {}))(Parent);
  Object.defineProperty(TypeClass, 'name', { value: type });
  for (const [operation, methodSpec] of Object.entries(spec.methods)) {
    Object.defineProperty(TypeClass.prototype, operation, {
      value(this: RemoteMediaObject, ...args: unknown[]) {
        return this.invokeMethod(operation, methodSpec, args);
      },
      writable: true,
      configurable: true,
    });
  }
  classes.set(type, TypeClass);
  return TypeClass;
}

/**
 * A client-side object for a server object. `knownType` picks the methods (the server's type or
 * its nearest ancestor this client knows); `serverType` is what the server calls it.
 */
export function instantiate(
  knownType: MediaObjectTypeName,
  serverType: string,
  context: ObjectContext,
  binding: ObjectBinding,
): RemoteMediaObject {
  const ObjectType = classOf(knownType);
  return new ObjectType(context, serverType, binding);
}

/**
 * The type whose methods an object of `serverType` gets: that type when this client knows it,
 * else its nearest known ancestor from `describe`'s hierarchy (`kurento.` prefixes allowed).
 */
export function nearestKnownType(
  serverType: string,
  hierarchy: readonly string[] = [],
): MediaObjectTypeName {
  for (const candidate of [serverType, ...hierarchy]) {
    const name = candidate.slice(candidate.lastIndexOf('.') + 1);
    if (isKnownType(name)) return name;
  }
  return 'MediaObject';
}
