import type { MediaNode, MediaType } from '../graph/index.js';
import type { TransportStatsEntry } from '../transport/index.js';
import type {
  KurentoStatsType,
  RtcCertificateStats,
  RtcCodec,
  RtcDataChannelState,
  RtcDataChannelStats,
  RtcIceCandidateAttributes,
  RtcIceCandidatePairStats,
  RtcInboundRtpStreamStats,
  RtcOutboundRtpStreamStats,
  RtcPeerConnectionStats,
  RtcStatsIceCandidatePairState,
  RtcStatsIceCandidateType,
  RtcTransportStats,
  Stats,
  StatsReport,
} from './KurentoStats.js';
import type { StatsIntervals } from './StatsIntervals.js';
import { mediaIdentitiesByMid } from './sdpMediaIdentities.js';
import { tagged } from './tagged.js';
import { type TrackSide, trackAndStreamStats, trackStatsId } from './trackStats.js';

/** What, besides werift's W3C stats, the Kurento shape of a WebRtcEndpoint's stats needs. */
export interface WebRtcStatsContext {
  /** The endpoint's graph node: its pads count the frames of the `track` entries. */
  readonly node: MediaNode;
  readonly localSdp: string | undefined;
  readonly remoteSdp: string | undefined;
  /** The STUN server gathered with (`stun:host:port`), named by server-reflexive candidates. */
  readonly stunUrl: string | undefined;
  /** The TURN server gathered with, without credentials, named by relayed candidates. */
  readonly turnUrl: string | undefined;
  /** The endpoint's samples of the previous call, for fraction lost and bitrate. */
  readonly intervals: StatsIntervals;
  /** `performance.now()` of this call. */
  readonly nowMs: number;
  /** `Date.now()` of this call, for the entries werift does not time. */
  readonly timestampMillis: number;
}

/** One shaped entry and the media it belongs to (undefined: shared by all). */
interface Shaped {
  readonly stats: Stats;
  readonly kind: 'audio' | 'video' | 'data' | undefined;
}

type Entry = TransportStatsEntry;

/**
 * A WebRtcEndpoint's stats as Kurento shapes them, from the W3C entries of its transport: the
 * kmd's types and field names on top of the W3C fields, `track` and `stream` entries from the
 * graph's frame counters and the SDP's msid lines. With `mediaType`, the entries of other media
 * are left out (the transport's, ICE's and DTLS's are shared, and always in).
 */
export function kurentoWebRtcStats(
  entries: readonly Entry[],
  context: WebRtcStatsContext,
  mediaType?: MediaType,
): StatsReport {
  const shaper = new EntryShaper(entries, context);
  const report: StatsReport = {};
  const tracks: TrackSide[] = [];
  for (const entry of entries) {
    const kind = kindOf(entry);
    if (mediaType !== undefined && kind !== undefined && kind !== mediaType.toLowerCase()) continue;
    const shaped = shaper.shape(entry);
    report[shaped.stats.id] = shaped.stats;
    const side = shaper.trackSide(shaped.stats);
    if (side) tracks.push(side);
  }
  for (const stats of trackAndStreamStats(tracks, context)) report[stats.id] = stats;
  context.intervals.keepOnly(
    new Set(entries.filter((entry) => entry.type.endsWith('bound-rtp')).map((entry) => entry.id)),
  );
  return report;
}

function kindOf(entry: Entry): Shaped['kind'] {
  if (entry.type === 'data-channel') return 'data';
  if (entry.kind === 'audio' || entry.kind === 'video') return entry.kind;
  if (entry.type === 'codec') {
    const mimeType = text(entry, 'mimeType');
    if (mimeType.startsWith('audio/')) return 'audio';
    if (mimeType.startsWith('video/')) return 'video';
  }
  return undefined;
}

/** Shapes entries one by one, looking up the entries they refer to. */
class EntryShaper {
  readonly #byId: Map<string, Entry>;
  readonly #context: WebRtcStatsContext;
  readonly #localIdentities;
  readonly #remoteIdentities;
  /** The REMB our peer last sent for the video we send: its estimate of what it can take. */
  readonly #rembReceived: number;
  readonly #controlling: boolean;

  constructor(entries: readonly Entry[], context: WebRtcStatsContext) {
    this.#byId = new Map(entries.map((entry) => [entry.id, entry]));
    this.#context = context;
    this.#localIdentities = mediaIdentitiesByMid(context.localSdp);
    this.#remoteIdentities = mediaIdentitiesByMid(context.remoteSdp);
    this.#rembReceived = entries
      .filter((entry) => entry.type === 'outbound-rtp' && entry.kind === 'video')
      .reduce((sum, entry) => sum + count(entry, 'remb'), 0);
    const transport = entries.find((entry) => entry.type === 'transport');
    this.#controlling = transport?.iceRole === 'controlling';
  }

  shape(entry: Entry): Shaped {
    const kind = kindOf(entry);
    switch (entry.type) {
      case 'inbound-rtp':
        return { stats: this.#inbound(entry), kind };
      case 'outbound-rtp':
        return { stats: this.#outbound(entry), kind };
      case 'codec':
        return { stats: codecStats(entry, kind), kind };
      case 'peer-connection':
        return { stats: sessionStats(entry), kind };
      case 'data-channel':
        return { stats: dataChannelStats(entry), kind };
      case 'transport':
        return { stats: transportStats(entry), kind };
      case 'candidate-pair':
        return { stats: this.#candidatePair(entry), kind };
      case 'local-candidate':
      case 'remote-candidate':
        return { stats: this.#candidate(entry), kind };
      case 'certificate':
        return { stats: certificateStats(entry), kind };
      default:
        return { stats: w3cOnly(entry), kind };
    }
  }

  /** Which side of a track an RTP entry is, for its `track` entry. */
  trackSide(stats: Stats): TrackSide | undefined {
    if (stats.type !== 'inboundrtp' && stats.type !== 'outboundrtp') return undefined;
    const inbound = stats.type === 'inboundrtp';
    const mid = typeof stats.mid === 'string' ? stats.mid : undefined;
    const identity =
      mid === undefined
        ? undefined
        : (inbound ? this.#remoteIdentities : this.#localIdentities).get(mid);
    const kind = stats.kind === 'audio' ? 'audio' : 'video';
    const w3cTrack = typeof stats.trackIdentifier === 'string' ? stats.trackIdentifier : undefined;
    return {
      rtpStatsId: stats.id,
      remoteSource: inbound,
      kind,
      trackIdentifier: identity?.trackId ?? w3cTrack ?? stats.id,
      streamIdentifier: identity?.streamId,
      frames:
        kind === 'video'
          ? inbound
            ? this.#context.node.source('VIDEO').frames
            : this.#context.node.sink('VIDEO').frames
          : undefined,
    };
  }

  #inbound(entry: Entry): RtcInboundRtpStreamStats {
    const packetsReceived = count(entry, 'packetsReceived');
    const packetsLost = count(entry, 'packetsLost');
    return tagged('RTCInboundRTPStreamStats', {
      ...this.#rtpStream(entry, 'inboundrtp'),
      packetsLost,
      fractionLost: this.#context.intervals.fractionLost(entry.id, packetsReceived, packetsLost),
      packetsReceived,
      bytesReceived: count(entry, 'bytesReceived'),
      jitter: count(entry, 'jitter'),
    });
  }

  #outbound(entry: Entry): RtcOutboundRtpStreamStats {
    const remote = this.#byId.get(text(entry, 'remoteId'));
    const bytesSent = count(entry, 'bytesSent');
    return tagged('RTCOutboundRTPStreamStats', {
      ...this.#rtpStream(entry, 'outboundrtp'),
      // What the peer's receiver reports say about this stream.
      packetsLost: remote ? count(remote, 'packetsLost') : 0,
      fractionLost: remote ? Math.round(count(remote, 'fractionLost') * 256) : 0,
      packetsSent: count(entry, 'packetsSent'),
      bytesSent,
      targetBitrate: this.#context.intervals.bitrate(entry.id, bytesSent, this.#context.nowMs),
      roundTripTime: remote ? count(remote, 'roundTripTime') : 0,
    });
  }

  /** The fields of Kurento's RTCRTPStreamStats, on top of the W3C ones. */
  #rtpStream(entry: Entry, type: 'inboundrtp' | 'outboundrtp') {
    return {
      ...w3cOnly(entry),
      type,
      ssrc: String(count(entry, 'ssrc')),
      associateStatsId: text(entry, 'remoteId'),
      isRemote: false,
      mediaTrackId: trackStatsId(entry.id),
      transportId: text(entry, 'transportId'),
      codecId: text(entry, 'codecId'),
      firCount: count(entry, 'firCount'),
      pliCount: count(entry, 'pliCount'),
      nackCount: count(entry, 'nackCount'),
      // Slice Loss Indication is obsolete: no browser sends one, and Medley sends none.
      sliCount: 0,
      remb: count(entry, 'remb'),
    };
  }

  #candidatePair(entry: Entry): RtcIceCandidatePairStats {
    const local = count(this.#byId.get(text(entry, 'localCandidateId')), 'priority');
    const remote = count(this.#byId.get(text(entry, 'remoteCandidateId')), 'priority');
    const nominated = entry.nominated === true;
    return tagged('RTCIceCandidatePairStats', {
      ...w3cOnly(entry),
      type: 'candidatepair',
      transportId: text(entry, 'transportId'),
      localCandidateId: text(entry, 'localCandidateId'),
      remoteCandidateId: text(entry, 'remoteCandidateId'),
      state: pairState(text(entry, 'state')),
      priority: this.#controlling ? pairPriority(local, remote) : pairPriority(remote, local),
      nominated,
      writable: count(entry, 'responsesReceived') > 0,
      readable: count(entry, 'requestsReceived') > 0,
      bytesSent: count(entry, 'bytesSent'),
      bytesReceived: count(entry, 'bytesReceived'),
      roundTripTime: count(entry, 'currentRoundTripTime'),
      availableOutgoingBitrate: nominated ? this.#rembReceived : 0,
      // Medley does not estimate the bandwidth towards itself.
      availableIncomingBitrate: 0,
    });
  }

  #candidate(entry: Entry): RtcIceCandidateAttributes {
    const type = entry.type === 'local-candidate' ? 'localcandidate' : 'remotecandidate';
    const candidateType = CANDIDATE_TYPES[text(entry, 'candidateType')] ?? 'host';
    const server =
      type !== 'localcandidate'
        ? undefined
        : candidateType === 'serverreflexive'
          ? this.#context.stunUrl
          : candidateType === 'relayed'
            ? this.#context.turnUrl
            : undefined;
    return tagged('RTCIceCandidateAttributes', {
      ...w3cOnly(entry),
      type,
      ipAddress: text(entry, 'address'),
      portNumber: count(entry, 'port'),
      transport: text(entry, 'protocol'),
      candidateType,
      priority: count(entry, 'priority'),
      addressSourceUrl: text(entry, 'url') || (server ?? ''),
    });
  }
}

/** The W3C fields of an entry, Kurento's way: type without dashes, `timestampMillis`. */
function w3cOnly(entry: Entry): Stats {
  const { timestamp, ...fields } = entry;
  return {
    ...fields,
    type: entry.type.replaceAll('-', '') as KurentoStatsType,
    timestampMillis: Math.round(timestamp),
  };
}

function codecStats(entry: Entry, kind: Shaped['kind']): RtcCodec {
  const channels = entry.channels;
  return tagged('RTCCodec', {
    ...w3cOnly(entry),
    payloadType: count(entry, 'payloadType'),
    codec: text(entry, 'mimeType'),
    clockRate: count(entry, 'clockRate'),
    channels: typeof channels === 'number' ? channels : kind === 'audio' ? 1 : 0,
    parameters: text(entry, 'sdpFmtpLine'),
  });
}

function sessionStats(entry: Entry): RtcPeerConnectionStats {
  return tagged('RTCPeerConnectionStats', {
    ...w3cOnly(entry),
    type: 'session',
    dataChannelsOpened: count(entry, 'dataChannelsOpened'),
    dataChannelsClosed: count(entry, 'dataChannelsClosed'),
  });
}

const DATA_CHANNEL_STATES: readonly RtcDataChannelState[] = [
  'connecting',
  'open',
  'closing',
  'closed',
];

function dataChannelStats(entry: Entry): RtcDataChannelStats {
  const state = DATA_CHANNEL_STATES.find((known) => known === entry.state) ?? 'connecting';
  const identifier = entry.dataChannelIdentifier;
  return tagged('RTCDataChannelStats', {
    ...w3cOnly(entry),
    type: 'datachannel',
    label: text(entry, 'label'),
    protocol: text(entry, 'protocol'),
    // -1 until the channel has its SCTP stream id.
    datachannelid: typeof identifier === 'number' ? identifier : -1,
    state,
    messagesSent: count(entry, 'messagesSent'),
    bytesSent: count(entry, 'bytesSent'),
    messagesReceived: count(entry, 'messagesReceived'),
    bytesReceived: count(entry, 'bytesReceived'),
  });
}

function transportStats(entry: Entry): RtcTransportStats {
  return tagged('RTCTransportStats', {
    ...w3cOnly(entry),
    bytesSent: count(entry, 'bytesSent'),
    bytesReceived: count(entry, 'bytesReceived'),
    // RTCP is multiplexed with RTP: there is no second transport.
    rtcpTransportStatsId: '',
    activeConnection: entry.dtlsState === 'connected',
    selectedCandidatePairId: text(entry, 'selectedCandidatePairId'),
    localCertificateId: text(entry, 'localCertificateId'),
    remoteCertificateId: text(entry, 'remoteCertificateId'),
  });
}

function certificateStats(entry: Entry): RtcCertificateStats {
  return tagged('RTCCertificateStats', {
    ...w3cOnly(entry),
    fingerprint: text(entry, 'fingerprint'),
    fingerprintAlgorithm: text(entry, 'fingerprintAlgorithm'),
    base64Certificate: derBase64(text(entry, 'base64Certificate')),
    // DTLS certificates are self-signed: no issuer.
    issuerCertificateId: '',
  });
}

/**
 * The certificate as base64 DER, as W3C and Kurento define the field: werift gives its own
 * certificate as base64 of the PEM text, whose body is that.
 */
function derBase64(base64: string): string {
  const pem = Buffer.from(base64, 'base64').toString('latin1');
  if (!pem.startsWith('-----BEGIN')) return base64;
  return pem
    .split(/\r?\n/)
    .filter((line) => line !== '' && !line.startsWith('-----'))
    .join('');
}

const CANDIDATE_TYPES: Readonly<Record<string, RtcStatsIceCandidateType>> = {
  host: 'host',
  srflx: 'serverreflexive',
  prflx: 'peerreflexive',
  relay: 'relayed',
};

const PAIR_STATES: readonly RtcStatsIceCandidatePairState[] = [
  'frozen',
  'waiting',
  'inprogress',
  'failed',
  'succeeded',
  'cancelled',
];

function pairState(w3cState: string): RtcStatsIceCandidatePairState {
  const state = w3cState.replaceAll('-', '');
  return PAIR_STATES.find((known) => known === state) ?? 'frozen';
}

/**
 * RFC 8445 section 6.1.2.3, from the controlling and the controlled agent's candidate
 * priorities. Above 2^53 a JavaScript number rounds it (as every JSON client would).
 */
function pairPriority(controlling: number, controlled: number): number {
  const low = Math.min(controlling, controlled);
  const high = Math.max(controlling, controlled);
  return 2 ** 32 * low + 2 * high + (controlling > controlled ? 1 : 0);
}

/** A numeric field of a W3C entry; 0 when werift leaves it out (it omits zero counters). */
function count(entry: Entry | undefined, field: string): number {
  const value = entry?.[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** A string field of a W3C entry; '' when absent. */
function text(entry: Entry, field: string): string {
  const value = entry[field];
  return typeof value === 'string' ? value : '';
}
