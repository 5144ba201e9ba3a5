/** Summary of one RTCStatsReport, per direction and media kind. */
export interface PeerStats {
  /** Milliseconds, the report's own clock (`RTCStats.timestamp`). */
  timestamp: number;
  /** Seconds, of the selected ICE candidate pair; undefined until a pair is in use. */
  roundTripTime: number | undefined;
  /** What is received, by kind; a kind is absent while nothing of it is received. */
  inbound: {
    /** The audio received (all audio streams added up). */
    audio?: InboundMediaStats;
    /** The video received (all video streams added up). */
    video?: InboundMediaStats;
  };
  /** What is sent, by kind; a kind is absent while nothing of it is sent. */
  outbound: {
    /** The audio sent. */
    audio?: OutboundMediaStats;
    /** The video sent (simulcast layers added up). */
    video?: OutboundMediaStats;
  };
}

/** What inbound and outbound stats have in common. */
export interface MediaFlowStats {
  /** Bits per second since the previous `getStats()` call; undefined on the first call. */
  bitrate: number | undefined;
  /** Bytes of RTP payload since the stream started. */
  bytes: number;
  /** RTP packets since the stream started. */
  packets: number;
  /** Frames per second of the largest stream, as the browser measures it; undefined for audio. */
  framesPerSecond: number | undefined;
  /** Pixels, of the largest stream; undefined for audio and before the first frame. */
  frameWidth: number | undefined;
  /** Pixels, of the largest stream; undefined for audio and before the first frame. */
  frameHeight: number | undefined;
}

/** Statistics of one kind of media received (`inbound-rtp` stats added up). */
export interface InboundMediaStats extends MediaFlowStats {
  /** Packets lost since the stream started (can go down when late packets arrive). */
  packetsLost: number;
  /** Seconds. */
  jitter: number | undefined;
  /** Frames decoded since the stream started; undefined for audio. */
  framesDecoded: number | undefined;
}

/** Statistics of one kind of media sent (`outbound-rtp` stats added up). */
export interface OutboundMediaStats extends MediaFlowStats {
  /** As the remote side reports it in RTCP receiver reports. */
  packetsLost: number | undefined;
  /** Frames encoded since the stream started; undefined for audio. */
  framesEncoded: number | undefined;
  /** More than one for simulcast. */
  encodings: number;
}

/**
 * What a summary needs to remember of the previous report to compute bitrates: per direction and
 * kind (`in-video`, ...), the bytes counted and the report's timestamp. Pass it back unchanged.
 */
export type StatsBaseline = ReadonlyMap<
  string,
  {
    /** Bytes counted at `timestamp`. */
    bytes: number;
    /** Milliseconds, the report's clock. */
    timestamp: number;
  }
>;

type Stat = Record<string, unknown>;

/**
 * Summarises an RTCStatsReport (any map of stats objects). Simulcast layers and several streams of
 * one kind are added up; resolution and frame rate are those of the largest stream.
 */
export function summarizeStats(
  report: ReadonlyMap<string, unknown>,
  previous: StatsBaseline = new Map(),
): {
  /** The summary of `report`. */
  stats: PeerStats;
  /** What to pass as `previous` next time, for the bitrates. */
  baseline: StatsBaseline;
} {
  const all = [...report.values()].filter(isStat);
  const baseline = new Map<string, { bytes: number; timestamp: number }>();
  const stats: PeerStats = {
    timestamp: Math.max(0, ...all.map((stat) => numberOr(stat.timestamp, 0))),
    roundTripTime: selectedPairRoundTripTime(all, report),
    inbound: {},
    outbound: {},
  };
  for (const kind of ['audio', 'video'] as const) {
    const inbound = all.filter((stat) => stat.type === 'inbound-rtp' && kindOf(stat) === kind);
    if (inbound.length > 0) {
      const flow = flowStats(inbound, 'bytesReceived', 'packetsReceived', `in-${kind}`);
      stats.inbound[kind] = {
        ...flow,
        packetsLost: sum(inbound, 'packetsLost') ?? 0,
        jitter: maximum(inbound, 'jitter'),
        framesDecoded: sum(inbound, 'framesDecoded'),
      };
    }
    const outbound = all.filter((stat) => stat.type === 'outbound-rtp' && kindOf(stat) === kind);
    if (outbound.length > 0) {
      const remoteReports = all.filter(
        (stat) => stat.type === 'remote-inbound-rtp' && kindOf(stat) === kind,
      );
      const flow = flowStats(outbound, 'bytesSent', 'packetsSent', `out-${kind}`);
      stats.outbound[kind] = {
        ...flow,
        packetsLost: sum(remoteReports, 'packetsLost'),
        framesEncoded: sum(outbound, 'framesEncoded'),
        encodings: outbound.length,
      };
    }
  }
  return { stats, baseline };

  function flowStats(
    streams: Stat[],
    bytesField: string,
    packetsField: string,
    key: string,
  ): MediaFlowStats {
    const bytes = sum(streams, bytesField) ?? 0;
    const timestamp = Math.max(...streams.map((stat) => numberOr(stat.timestamp, 0)));
    baseline.set(key, { bytes, timestamp });
    const largest = streams.reduce((best, stat) =>
      numberOr(stat.frameWidth, 0) > numberOr(best.frameWidth, 0) ? stat : best,
    );
    return {
      bitrate: bitrate(previous.get(key), bytes, timestamp),
      bytes,
      packets: sum(streams, packetsField) ?? 0,
      framesPerSecond: optionalNumber(largest.framesPerSecond),
      frameWidth: optionalNumber(largest.frameWidth),
      frameHeight: optionalNumber(largest.frameHeight),
    };
  }
}

export function bitrate(
  previous: { bytes: number; timestamp: number } | undefined,
  bytes: number,
  timestamp: number,
): number | undefined {
  if (!previous) return undefined;
  const elapsedMs = timestamp - previous.timestamp;
  const sentBytes = bytes - previous.bytes;
  // A negative delta means the stream restarted (e.g. a new transceiver took the same kind).
  if (elapsedMs <= 0 || sentBytes < 0) return undefined;
  return Math.round((sentBytes * 8 * 1000) / elapsedMs);
}

function selectedPairRoundTripTime(
  all: Stat[],
  report: ReadonlyMap<string, unknown>,
): number | undefined {
  for (const transport of all.filter((stat) => stat.type === 'transport')) {
    const pair = report.get(String(transport.selectedCandidatePairId));
    if (isStat(pair)) return optionalNumber(pair.currentRoundTripTime);
  }
  // Firefox has no transport stats: it flags the pair itself.
  const pair = all.find(
    (stat) => stat.type === 'candidate-pair' && (stat.selected === true || stat.nominated === true),
  );
  return pair ? optionalNumber(pair.currentRoundTripTime) : undefined;
}

function kindOf(stat: Stat): unknown {
  return stat.kind ?? stat.mediaType;
}

function sum(stats: Stat[], field: string): number | undefined {
  const values = stats.map((stat) => stat[field]).filter((value) => typeof value === 'number');
  return values.length ? values.reduce((total, value) => total + value, 0) : undefined;
}

function maximum(stats: Stat[], field: string): number | undefined {
  const values = stats.map((stat) => stat[field]).filter((value) => typeof value === 'number');
  return values.length ? Math.max(...values) : undefined;
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function isStat(value: unknown): value is Stat {
  return typeof value === 'object' && value !== null && 'type' in value;
}
