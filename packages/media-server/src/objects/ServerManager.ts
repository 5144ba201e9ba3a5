import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { KurentoError } from '../errors.js';
import { complexValue } from './complexTypes.js';
import { MediaObject, MediaObjectType, type ObjectInit } from './MediaObject.js';
import { defineType, typeMembers } from './ObjectType.js';
import * as t from './valueTypes.js';

/**
 * The Kurento API level this server implements. kurento-client checks module names, not
 * versions, but tools that print or compare the KMS version get one they know.
 */
export const KURENTO_API_VERSION = '7.3.0';

/** Modules kurento-client requires in getInfo (its `strict` start-up check). */
const REQUIRED_MODULES = ['core', 'elements', 'filters'];
/**
 * The versions of Kurento's optional modules this server has built in, as their npm packages
 * (kurento-module-<name>) and kmd files give them; the other modules are at the API version.
 */
const MODULE_VERSIONS: Readonly<Record<string, string>> = {
  chroma: '7.3.0',
  pointerdetector: '6.18.0',
  crowddetector: '6.18.0',
  platedetector: '6.18.0',
};

const MAX_CPU_SAMPLE_MS = 10_000;

export interface ServerManagerOptions {
  /** Ids of the live protocol sessions (ServerManager.getSessions). */
  listSessions(): string[];
  /** Free-form text returned by getMetadata. */
  metadata: string;
}

/** `manager_ServerManager`: server info, pipelines, sessions, load, and object lifecycle events. */
export class ServerManager extends MediaObject {
  static readonly ID = 'manager_ServerManager';
  private readonly options: ServerManagerOptions;
  private readonly startTime = new Date().toISOString();
  private readonly stopListening: () => void;

  constructor(init: ObjectInit, options: ServerManagerOptions) {
    super(init, undefined, ServerManager.ID);
    this.options = options;
    this.stopListening = init.context.registry.listen({
      created: (object) => {
        if (object !== this) this.emitEvent('ObjectCreated', { object: object.id });
      },
      destroyed: (object) => {
        if (object !== this) this.emitEvent('ObjectDestroyed', { objectId: object.id });
      },
    });
  }

  getInfo(): Record<string, unknown> {
    const modules = new Map<string, string[]>(REQUIRED_MODULES.map((name) => [name, []]));
    for (const type of this.context.registry.creatableTypes) {
      const factories = modules.get(type.module) ?? [];
      factories.push(type.name);
      modules.set(type.module, factories);
    }
    return complexValue('ServerInfo', {
      version: KURENTO_API_VERSION,
      modules: [...modules].map(([name, factories]) =>
        complexValue('ModuleInfo', {
          name,
          version: MODULE_VERSIONS[name] ?? KURENTO_API_VERSION,
          generationTime: this.startTime,
          factories,
        }),
      ),
      type: 'KMS',
      capabilities: ['transactions'],
    });
  }

  get pipelines(): MediaObject[] {
    return this.context.registry.all().filter((object) => object.type.isA('MediaPipeline'));
  }

  get sessions(): string[] {
    return this.options.listSessions();
  }

  get metadata(): string {
    return this.options.metadata;
  }

  /** A kmd.json-like description of a module, generated from the type tables. */
  getKmd(moduleName: string): string {
    const types = this.context.registry.allTypes.filter((type) => type.module === moduleName);
    if (types.length === 0 && !REQUIRED_MODULES.includes(moduleName)) {
      throw new KurentoError(
        'SERVER_MANAGER_ERROR_KMD_NOT_FOUND',
        `No module named '${moduleName}'; modules: ${REQUIRED_MODULES.join(', ')}`,
      );
    }
    return JSON.stringify({
      name: moduleName,
      version: MODULE_VERSIONS[moduleName] ?? KURENTO_API_VERSION,
      remoteClasses: types.map((type) => type.toKmd()),
    });
  }

  getCpuCount(): number {
    return availableParallelism();
  }

  /** CPU used by this process over `intervalMs`, in percent of all cores. */
  async getUsedCpu(intervalMs: number): Promise<number> {
    const interval = Math.min(Math.max(intervalMs, 1), MAX_CPU_SAMPLE_MS);
    const start = process.cpuUsage();
    await sleep(interval);
    const used = process.cpuUsage(start);
    const busyMicros = used.user + used.system;
    return (busyMicros / (interval * 1000 * availableParallelism())) * 100;
  }

  /** Resident memory of this process in KiB, as KMS reports it. */
  getUsedMemory(): number {
    return Math.round(process.memoryUsage.rss() / 1024);
  }

  protected override onRelease(): void {
    this.stopListening();
  }
}

const { method, property } = typeMembers<ServerManager>();

export const ServerManagerType = defineType<ServerManager>({
  name: 'ServerManager',
  module: 'core',
  extends: MediaObjectType,
  methods: {
    getKmd: method({ moduleName: t.string }, (manager, { moduleName }) =>
      manager.getKmd(moduleName),
    ),
    getCpuCount: method({}, (manager) => manager.getCpuCount(), 'int'),
    getUsedCpu: method(
      { interval: t.optional(t.int, 1000) },
      (manager, { interval }) => manager.getUsedCpu(interval),
      'float',
    ),
    getUsedMemory: method({}, (manager) => manager.getUsedMemory(), 'int64'),
  },
  properties: {
    info: property(t.opaque('ServerInfo'), { get: (manager) => manager.getInfo() }),
    pipelines: property(t.array(t.mediaObject<MediaObject>('MediaPipeline')), {
      get: (manager) => manager.pipelines,
    }),
    sessions: property(t.array(t.string), { get: (manager) => manager.sessions }),
    metadata: property(t.string, { get: (manager) => manager.metadata }),
  },
  events: ['ObjectCreated', 'ObjectDestroyed'],
});
