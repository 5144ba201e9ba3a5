import type { VideoFrameMeter } from '../graph/index.js';
import type { RtcMediaStreamStats, RtcMediaStreamTrackStats } from './KurentoStats.js';
import { tagged } from './tagged.js';

/** One end of a track an endpoint carries: what the peer sends it, or what it sends the peer. */
export interface TrackSide {
  /** The id of the inbound or outbound RTP entry carrying it. */
  readonly rtpStatsId: string;
  /** True for the peer's track (received), false for the endpoint's own (sent). */
  readonly remoteSource: boolean;
  readonly kind: 'audio' | 'video';
  /** The track id its SDP announces (`a=msid`), or another stable id. */
  readonly trackIdentifier: string;
  /** The MediaStream id its SDP announces, if any. */
  readonly streamIdentifier: string | undefined;
  /** The pad's frame counter, for video. */
  readonly frames: VideoFrameMeter | undefined;
}

/** The id of the `track` entry of the RTP entry `rtpStatsId` (its `mediaTrackId`). */
export function trackStatsId(rtpStatsId: string): string {
  return `track_${rtpStatsId}`;
}

/**
 * Kurento's `track` entries (RTCMediaStreamTrackStats), one per RTP stream, and its `stream`
 * entries (RTCMediaStreamStats), one per MediaStream the SDPs announce. Frames are counted where
 * they cross the endpoint's pads, without decoding: nothing is decoded, dropped or corrupted
 * here, audio is not measured and no echo is cancelled, so those fields are 0.
 */
export function trackAndStreamStats(
  sides: readonly TrackSide[],
  at: { readonly nowMs: number; readonly timestampMillis: number },
): (RtcMediaStreamTrackStats | RtcMediaStreamStats)[] {
  const tracks = sides.map((side) => trackStats(side, at));
  const streams = new Map<string, { streamIdentifier: string; trackIds: string[] }>();
  for (const side of sides) {
    if (side.streamIdentifier === undefined) continue;
    // The peer's stream and the endpoint's may have the same id (a loopback echoes it).
    const id = `stream_${side.remoteSource ? 'remote' : 'local'}_${side.streamIdentifier}`;
    const stream = streams.get(id) ?? { streamIdentifier: side.streamIdentifier, trackIds: [] };
    stream.trackIds.push(trackStatsId(side.rtpStatsId));
    streams.set(id, stream);
  }
  const streamStats = [...streams].map(([id, stream]) =>
    tagged<RtcMediaStreamStats>('RTCMediaStreamStats', {
      id,
      type: 'stream',
      timestampMillis: at.timestampMillis,
      ...stream,
    }),
  );
  return [...tracks, ...streamStats];
}

function trackStats(
  side: TrackSide,
  at: { readonly nowMs: number; readonly timestampMillis: number },
): RtcMediaStreamTrackStats {
  const frames = side.frames;
  const framesCounted = frames?.frames ?? 0;
  return tagged('RTCMediaStreamTrackStats', {
    id: trackStatsId(side.rtpStatsId),
    type: 'track',
    timestampMillis: at.timestampMillis,
    kind: side.kind,
    trackIdentifier: side.trackIdentifier,
    remoteSource: side.remoteSource,
    ssrcIds: [side.rtpStatsId],
    frameWidth: frames?.size?.width ?? 0,
    frameHeight: frames?.size?.height ?? 0,
    framesPerSecond: frames ? Math.round(frames.framesPerSecond(at.nowMs) * 100) / 100 : 0,
    framesSent: side.remoteSource ? 0 : framesCounted,
    framesReceived: side.remoteSource ? framesCounted : 0,
    framesDecoded: 0,
    framesDropped: 0,
    framesCorrupted: 0,
    audioLevel: 0,
    echoReturnLoss: 0,
    echoReturnLossEnhancement: 0,
  });
}
