import { Gauge, type Registry } from 'prom-client';
import { MediaPipelineType } from '../elements/MediaPipeline.js';
import type { ObjectRegistry } from '../objects/ObjectRegistry.js';
import { ServerManagerType } from '../objects/ServerManager.js';

/** Media pipelines, and the elements in them by Kurento type, counted when scraped. */
export function registerObjectMetrics(registry: Registry, objects: ObjectRegistry): void {
  new Gauge({
    name: 'medley_media_pipelines',
    help: 'Live media pipelines.',
    registers: [registry],
    collect(this: Gauge) {
      let pipelines = 0;
      for (const object of objects.all()) if (object.type === MediaPipelineType) pipelines++;
      this.set(pipelines);
    },
  });
  new Gauge({
    name: 'medley_media_elements',
    help: 'Live media elements (endpoints, filters, hubs and hub ports) by Kurento type; every type the server creates is listed, at 0 when none lives.',
    labelNames: ['type'],
    registers: [registry],
    collect(this: Gauge<'type'>) {
      const counts = new Map<string, number>();
      for (const type of objects.creatableTypes) {
        if (type !== MediaPipelineType && type !== ServerManagerType) counts.set(type.name, 0);
      }
      for (const { type } of objects.all()) {
        const count = counts.get(type.name);
        if (count !== undefined) counts.set(type.name, count + 1);
      }
      this.reset();
      for (const [type, count] of counts) this.set({ type }, count);
    },
  });
}
