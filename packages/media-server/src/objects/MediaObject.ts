import { randomUUID } from 'node:crypto';
import { KurentoError } from '../errors.js';
import type { Logger } from '../logger.js';
import { complexValue } from './complexTypes.js';
import { defineType, type ObjectType, typeMembers } from './ObjectType.js';

import type { ServerContext } from './ServerContext.js';
import * as t from './valueTypes.js';

/** What every MediaObject constructor receives from ObjectType.instantiate. */
export interface ObjectInit {
  /** The type being instantiated (so a subclass can serve several types). */
  readonly type: ObjectType;
  /** The hosting server's context. */
  readonly context: ServerContext;
}

/** An event as raised by an object, before the protocol serializes it for a subscriber. */
export interface MediaObjectEvent {
  /** Kurento 7 event name (`IceCandidateFound`). */
  readonly type: string;
  /** RaiseBase fields (`source`, `tags`, `timestampMillis`, `timestamp`, `type`) and payload. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** A listener of {@link MediaObject.onEvent}. */
export type MediaObjectEventListener = (event: MediaObjectEvent) => void;

/**
 * Base of every object of the Kurento API: id, parent and children, name, tags, creation time,
 * events, and a release that cascades to the children.
 */
export abstract class MediaObject {
  /**
   * The id clients address it by: `<uuid>_kurento.<Type>`, prefixed by the pipeline's id and a
   * slash for the objects of a pipeline, as KMS makes them.
   */
  readonly id: string;
  /** The object's type, with its methods, properties and events. */
  readonly type: ObjectType;
  /** What the hosting server provides: logger, ICE and media settings, processing. */
  readonly context: ServerContext;
  /** The object it was created in (its pipeline, a HubPort's hub); undefined for a pipeline. */
  readonly parent: MediaObject | undefined;
  /** Seconds since the epoch, as KMS reports it. */
  readonly creationTime = Math.floor(Date.now() / 1000);
  /** The `name` property; the id until a client sets another. */
  name: string;
  /** Whether raised events carry the object's tags (the `sendTagsInEvents` property). */
  sendTagsInEvents = false;
  /** The server's logger, with `object: <id>` on every line. */
  protected readonly logger: Logger;
  private readonly tags = new Map<string, string>();
  private readonly childObjects = new Set<MediaObject>();
  private readonly listeners = new Map<string, Set<MediaObjectEventListener>>();
  private pendingOperation: Promise<unknown> = Promise.resolve();
  private releasedFlag = false;

  protected constructor(init: ObjectInit, parent?: MediaObject, fixedId?: string) {
    this.type = init.type;
    this.context = init.context;
    this.parent = parent;
    const ownId = `${randomUUID()}_kurento.${init.type.name}`;
    // KMS prefixes every id with its pipeline's, whatever the parent (a HubPort's is its hub).
    const prefix = parent && (parent.mediaPipeline ?? parent).id;
    this.id = fixedId ?? (prefix ? `${prefix}/${ownId}` : ownId);
    this.name = this.id;
    this.logger = init.context.logger.child({ object: this.id });
  }

  /** True once `release()` was called. */
  get released(): boolean {
    return this.releasedFlag;
  }

  /** The pipeline this object lives in; a pipeline is its own. */
  get mediaPipeline(): MediaObject | undefined {
    let object: MediaObject | undefined = this;
    while (object && !object.type.isA('MediaPipeline')) object = object.parent;
    return object;
  }

  /** The objects created in this one (a pipeline's elements, a hub's ports), as a copy. */
  get children(): MediaObject[] {
    return [...this.childObjects];
  }

  /** Sets the tag `key` (Kurento's key/value annotations of an object), replacing its value. */
  addTag(key: string, value: string): void {
    this.tags.set(key, value);
  }

  /** Removes the tag `key`; no-op when there is none. */
  removeTag(key: string): void {
    this.tags.delete(key);
  }

  /** The value of the tag `key`; throws KurentoError MEDIA_OBJECT_TAG_KEY_NOT_FOUND when absent. */
  getTag(key: string): string {
    const value = this.tags.get(key);
    if (value === undefined) {
      throw new KurentoError('MEDIA_OBJECT_TAG_KEY_NOT_FOUND', `Tag '${key}' not found`);
    }
    return value;
  }

  /** Every tag, as Kurento `Tag` values (`{ key, value }` with their complex-type markers). */
  getTags(): Record<string, unknown>[] {
    return [...this.tags].map(([key, value]) => complexValue('Tag', { key, value }));
  }

  /** Listens to one event type; returns the function that stops listening. */
  onEvent(type: string, listener: MediaObjectEventListener): () => void {
    let set = this.listeners.get(type);
    if (!set) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(type) === set) this.listeners.delete(type);
    };
  }

  /**
   * Runs operations on this object one at a time, in arrival order, so that e.g. an
   * addIceCandidate sent right after processOffer never overtakes it.
   */
  runExclusive<R>(operation: () => R | Promise<R>): Promise<R> {
    const result = this.pendingOperation.then(operation);
    this.pendingOperation = result.catch(() => undefined);
    return result;
  }

  /** Releases the children, then this object. Safe to call more than once. */
  async release(): Promise<void> {
    if (this.releasedFlag) return;
    this.releasedFlag = true;
    const children = [...this.childObjects];
    this.context.registry.remove(this);
    this.parent?.childObjects.delete(this);
    await Promise.all(children.map((child) => child.release()));
    try {
      await this.onRelease();
    } catch (error) {
      this.logger.warn('error while releasing', { error });
    }
    this.listeners.clear();
  }

  /** Frees what the subclass holds (sockets, timers, graph links). Errors are logged. */
  protected onRelease(): void | Promise<void> {}

  /** Raises an event to the current subscribers with the RaiseBase fields KMS adds. */
  protected emitEvent(type: string, payload: Readonly<Record<string, unknown>> = {}): void {
    if (this.releasedFlag) return;
    const listeners = this.listeners.get(type);
    if (!listeners || listeners.size === 0) return;
    const now = Date.now();
    const event: MediaObjectEvent = {
      type,
      data: {
        source: this.id,
        tags: this.sendTagsInEvents ? this.getTags() : [],
        timestampMillis: String(now),
        timestamp: String(Math.floor(now / 1000)),
        type,
        ...payload,
      },
    };
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error('event listener failed', { event: type, error });
      }
    }
  }

  /** @internal Called by the registry when the object becomes visible to clients. */
  attachToParent(): void {
    this.parent?.childObjects.add(this);
  }
}

const { method, property } = typeMembers<MediaObject>();
const anyObject = t.mediaObject<MediaObject>('MediaObject');

/** The type table of MediaObject, the root every other type extends. */
export const MediaObjectType = defineType<MediaObject>({
  name: 'MediaObject',
  module: 'core',
  methods: {
    addTag: method({ key: t.string, value: t.string }, (object, { key, value }) =>
      object.addTag(key, value),
    ),
    removeTag: method({ key: t.string }, (object, { key }) => object.removeTag(key)),
    getTag: method({ key: t.string }, (object, { key }) => object.getTag(key), 'String'),
    getTags: method({}, (object) => object.getTags(), 'Tag[]'),
    /** Kurento 6 name of getChildren. */
    getChilds: method({}, (object) => object.children, 'MediaObject[]'),
  },
  properties: {
    id: property(t.string, { get: (object) => object.id }),
    mediaPipeline: property(t.mediaObject<MediaObject>('MediaPipeline'), {
      get: (object) => object.mediaPipeline,
    }),
    parent: property(anyObject, { get: (object) => object.parent }),
    children: property(t.array(anyObject), { get: (object) => object.children }),
    name: property(t.string, {
      get: (object) => object.name,
      set: (object, name) => {
        object.name = name;
      },
    }),
    sendTagsInEvents: property(t.boolean, {
      get: (object) => object.sendTagsInEvents,
      set: (object, send) => {
        object.sendTagsInEvents = send;
      },
    }),
    creationTime: property(t.int, { get: (object) => object.creationTime }),
  },
  events: ['Error'],
});
