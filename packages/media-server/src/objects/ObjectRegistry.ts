import { KurentoError } from '../errors.js';
import type { MediaObject } from './MediaObject.js';
import type { ObjectType } from './ObjectType.js';
import type { ValueContext } from './valueTypes.js';

export interface RegistryListener {
  created?(object: MediaObject): void;
  destroyed?(object: MediaObject): void;
}

/**
 * Every live MediaObject by id, and the catalog of types clients may create. Objects are
 * reachable from any session that knows their id, as in KMS.
 */
export class ObjectRegistry implements ValueContext {
  private readonly objects = new Map<string, MediaObject>();
  private readonly types = new Map<string, ObjectType>();
  private readonly listeners = new Set<RegistryListener>();

  constructor(types: Iterable<ObjectType>) {
    for (const type of types) this.addType(type);
  }

  addType(type: ObjectType): void {
    this.types.set(type.name, type);
    this.types.set(type.qualifiedName, type);
  }

  /** Types a client may create, for ServerManager.getInfo. */
  get creatableTypes(): ObjectType[] {
    return [...new Set(this.types.values())].filter((type) => !type.abstract);
  }

  get allTypes(): ObjectType[] {
    return [...new Set(this.types.values())];
  }

  findType(name: string): ObjectType | undefined {
    return this.types.get(name);
  }

  getType(name: string): ObjectType {
    const type = this.types.get(name);
    if (!type) {
      const known = this.creatableTypes.map((entry) => entry.name).join(', ');
      throw new KurentoError(
        'MEDIA_OBJECT_TYPE_NOT_FOUND',
        `Unknown type '${name}'. This server creates: ${known}`,
      );
    }
    return type;
  }

  findObject(id: string): MediaObject | undefined {
    return this.objects.get(id);
  }

  getObject(id: string): MediaObject {
    const object = this.objects.get(id);
    if (!object) throw new KurentoError('MEDIA_OBJECT_NOT_FOUND', `Object '${id}' not found`);
    return object;
  }

  get size(): number {
    return this.objects.size;
  }

  all(): MediaObject[] {
    return [...this.objects.values()];
  }

  /** Makes an object visible to clients and announces it (ServerManager's ObjectCreated). */
  add(object: MediaObject): void {
    if (object.parent?.released) {
      void object.release();
      throw new KurentoError('MEDIA_OBJECT_NOT_FOUND', `Object '${object.parent.id}' not found`);
    }
    this.objects.set(object.id, object);
    object.attachToParent();
    for (const listener of this.listeners) listener.created?.(object);
  }

  /** Called by MediaObject.release. */
  remove(object: MediaObject): void {
    if (!this.objects.delete(object.id)) return;
    for (const listener of this.listeners) listener.destroyed?.(object);
  }

  listen(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
