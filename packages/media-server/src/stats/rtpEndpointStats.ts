import type { MediaCodec, MediaType } from '../graph/index.js';
import type { RtpMediaStream } from '../transport/plainRtp/RtpMediaStream.js';
import type {
  RtcCodec,
  RtcInboundRtpStreamStats,
  RtcOutboundRtpStreamStats,
  StatsReport,
} from './KurentoStats.js';
import type { StatsIntervals } from './StatsIntervals.js';
import { tagged } from './tagged.js';

/** What the Kurento shape of an RtpEndpoint's stats needs besides its streams. */
export interface RtpStatsContext {
  /** The endpoint's id: its entries' ids start with it. */
  readonly endpointId: string;
  /** The endpoint's samples of the previous call, for fraction lost and bitrate. */
  readonly intervals: StatsIntervals;
  /** `performance.now()` of this call. */
  readonly nowMs: number;
  /** `Date.now()` of this call. */
  readonly timestampMillis: number;
}

/**
 * An RtpEndpoint's `inboundrtp`, `outboundrtp` and `codec` entries per negotiated medium, in
 * the kmd's shape: loss and jitter counted here (RFC 3550), the outbound loss and round trip from
 * the peer's report blocks. There is no ICE, DTLS or track here: `transportId`, `mediaTrackId`
 * and `associateStatsId` are ''; no REMB goes either way, and no NACK is sent (`remb`, inbound
 * `nackCount` 0).
 */
export function kurentoRtpStats(
  streams: ReadonlyMap<MediaType, RtpMediaStream>,
  context: RtpStatsContext,
  mediaType?: MediaType,
): StatsReport {
  const report: StatsReport = {};
  for (const [type, stream] of streams) {
    if (mediaType !== undefined && mediaType !== type) continue;
    const kind = type.toLowerCase();
    const receiveCodec = stream.codecs.receive[0];
    const sendCodec = stream.codecs.send[0];
    for (const codec of [receiveCodec, sendCodec]) {
      if (codec) report[codecId(context, kind, codec)] = codecStats(context, kind, codec);
    }
    const inbound = inboundStats(stream, context, kind, receiveCodec);
    const outbound = outboundStats(stream, context, kind, sendCodec);
    report[inbound.id] = inbound;
    report[outbound.id] = outbound;
  }
  return report;
}

function inboundStats(
  stream: RtpMediaStream,
  context: RtpStatsContext,
  kind: string,
  codec: MediaCodec | undefined,
): RtcInboundRtpStreamStats {
  const id = `${context.endpointId}_${kind}_inbound`;
  const { counters, reception } = stream;
  const packetsLost = reception.packetsLost;
  return tagged('RTCInboundRTPStreamStats', {
    id,
    type: 'inboundrtp',
    timestampMillis: context.timestampMillis,
    kind,
    ...unrelated,
    ssrc: stream.remoteSsrc === undefined ? '' : String(stream.remoteSsrc),
    codecId: codec ? codecId(context, kind, codec) : '',
    firCount: counters.firSent,
    pliCount: counters.pliSent,
    nackCount: 0,
    packetsLost,
    fractionLost: context.intervals.fractionLost(id, reception.packetsReceived, packetsLost),
    packetsReceived: counters.packetsReceived,
    bytesReceived: counters.bytesReceived,
    jitter: reception.jitterSeconds,
    // Beyond Kurento's fields: what failed the checks (payload type, SRTP, source).
    packetsDiscarded: counters.packetsDiscarded,
  });
}

function outboundStats(
  stream: RtpMediaStream,
  context: RtpStatsContext,
  kind: string,
  codec: MediaCodec | undefined,
): RtcOutboundRtpStreamStats {
  const id = `${context.endpointId}_${kind}_outbound`;
  const { counters, peerReport } = stream;
  return tagged('RTCOutboundRTPStreamStats', {
    id,
    type: 'outboundrtp',
    timestampMillis: context.timestampMillis,
    kind,
    ...unrelated,
    ssrc: String(stream.localSsrc),
    codecId: codec ? codecId(context, kind, codec) : '',
    firCount: counters.firReceived,
    pliCount: counters.keyframeRequestsReceived - counters.firReceived,
    nackCount: counters.nacksReceived,
    packetsLost: peerReport?.packetsLost ?? 0,
    fractionLost: peerReport?.fractionLost ?? 0,
    packetsSent: counters.packetsSent,
    bytesSent: counters.bytesSent,
    targetBitrate: context.intervals.bitrate(id, counters.bytesSent, context.nowMs),
    roundTripTime: peerReport?.roundTripTime ?? 0,
    // Beyond Kurento's fields (as in W3C webrtc-stats): what the NACKs made us send again.
    retransmittedPacketsSent: counters.retransmittedPacketsSent,
    retransmittedBytesSent: counters.retransmittedBytesSent,
  });
}

/** The RTCRTPStreamStats fields that name what plain RTP does not have. */
const unrelated = {
  associateStatsId: '',
  isRemote: false,
  mediaTrackId: '',
  transportId: '',
  sliCount: 0,
  remb: 0,
} as const;

function codecId(context: RtpStatsContext, kind: string, codec: MediaCodec): string {
  return `${context.endpointId}_${kind}_codec_${codec.payloadType}`;
}

function codecStats(context: RtpStatsContext, kind: string, codec: MediaCodec): RtcCodec {
  return tagged('RTCCodec', {
    id: codecId(context, kind, codec),
    type: 'codec',
    timestampMillis: context.timestampMillis,
    payloadType: codec.payloadType,
    codec: codec.mimeType,
    clockRate: codec.clockRate,
    channels: codec.channels ?? (kind === 'audio' ? 1 : 0),
    parameters: codec.parameters ?? '',
  });
}
