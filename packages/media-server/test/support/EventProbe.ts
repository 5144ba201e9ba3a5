import {
  complexValue,
  defineType,
  MediaElement,
  MediaElementType,
  MediaNode,
  type MediaPipeline,
  type ObjectInit,
  valueTypes as t,
  typeMembers,
} from '../../src/index.js';

/**
 * A custom element declared only through the public API, as a third party would: it proves that
 * a new element is one file (no protocol change), and lets tests raise events on demand.
 */
export class EventProbe extends MediaElement {
  calls = 0;

  constructor(init: ObjectInit, pipeline: MediaPipeline) {
    super(init, pipeline, new MediaNode({ name: 'EventProbe' }));
  }

  raiseCandidate(candidate: string): void {
    this.emitEvent('IceCandidateFound', {
      candidate: complexValue('IceCandidate', { candidate, sdpMid: '0', sdpMLineIndex: 0 }),
    });
  }

  raiseError(description: string): void {
    this.emitEvent('Error', { description, errorCode: 40003, type: 'RESOURCE_ERROR_OPEN' });
  }

  async slowCount(delayMs: number): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    this.calls += 1;
    return this.calls;
  }
}

const { method } = typeMembers<EventProbe>();

export const EventProbeType = defineType({
  name: 'EventProbe',
  module: 'medleytest',
  extends: MediaElementType,
  constructorParams: { mediaPipeline: t.mediaObject<MediaPipeline>('MediaPipeline') },
  create: ({ mediaPipeline }, init) => new EventProbe(init, mediaPipeline),
  methods: {
    raiseCandidate: method({ candidate: t.string }, (probe, { candidate }) =>
      probe.raiseCandidate(candidate),
    ),
    raiseError: method({ description: t.string }, (probe, { description }) =>
      probe.raiseError(description),
    ),
    slowCount: method({ delayMs: t.int }, (probe, { delayMs }) => probe.slowCount(delayMs), 'int'),
  },
  events: ['IceCandidateFound'],
});
