import type { LatencyAverage, MediaNode, MediaType } from '../graph/index.js';
import { DEFAULT_PAD_NAME, RTP_MEDIA_TYPES } from '../graph/index.js';
import type { ElementStats, EndpointStats, MediaLatencyStat } from './KurentoStats.js';
import { tagged } from './tagged.js';

/** What an element's own entry describes: any element, or an endpoint (with E2E latency). */
export type ElementStatsKind = 'element' | 'endpoint';

/**
 * The entry Kurento keys by the element's id: an `ElementStats`, or for an endpoint an
 * `EndpointStats`. Its latencies are those of the sink pads of `mediaType` (all when undefined)
 * that measured any packet while the pipeline's `latencyStats` is on; none otherwise.
 */
export function elementStats(
  id: string,
  node: MediaNode,
  kind: 'element',
  mediaType: MediaType | undefined,
  timestampMillis: number,
): ElementStats;
export function elementStats(
  id: string,
  node: MediaNode,
  kind: 'endpoint',
  mediaType: MediaType | undefined,
  timestampMillis: number,
): EndpointStats;
export function elementStats(
  id: string,
  node: MediaNode,
  kind: ElementStatsKind,
  mediaType: MediaType | undefined,
  timestampMillis: number,
): ElementStats | EndpointStats;
export function elementStats(
  id: string,
  node: MediaNode,
  kind: ElementStatsKind,
  mediaType: MediaType | undefined,
  timestampMillis: number,
): ElementStats | EndpointStats {
  const types = RTP_MEDIA_TYPES.filter((type) => mediaType === undefined || type === mediaType);
  const measuring = node.latencyStats;
  const latencies = (pick: (type: MediaType) => LatencyAverage) =>
    measuring ? types.flatMap((type) => latencyStat(type, pick(type))) : [];
  const inputLatency = latencies((type) => node.sink(type).inputLatency);
  const element: ElementStats = {
    id,
    type: kind,
    timestampMillis,
    inputLatency,
    inputAudioLatency: averageOf(inputLatency, 'AUDIO'),
    inputVideoLatency: averageOf(inputLatency, 'VIDEO'),
  };
  if (kind === 'element') return tagged('ElementStats', element);
  const e2eLatency = latencies((type) => node.sink(type).outputLatency);
  return tagged('EndpointStats', {
    ...element,
    E2ELatency: e2eLatency,
    audioE2ELatency: averageOf(e2eLatency, 'AUDIO'),
    videoE2ELatency: averageOf(e2eLatency, 'VIDEO'),
  });
}

function latencyStat(type: MediaType, average: LatencyAverage): MediaLatencyStat[] {
  if (average.samples === 0 || type === 'DATA') return [];
  const name = `sink_${type.toLowerCase()}_${DEFAULT_PAD_NAME}`;
  return [tagged('MediaLatencyStat', { name, type, avg: average.averageNs })];
}

function averageOf(latencies: readonly MediaLatencyStat[], type: 'AUDIO' | 'VIDEO'): number {
  return latencies.find((latency) => latency.type === type)?.avg ?? 0;
}
