import type { PeerStats } from '@medley/webrtc-peer';

const kbps = (bitsPerSecond: number | undefined) =>
  bitsPerSecond === undefined ? '–' : `${Math.round(bitsPerSecond / 1000)} kbps`;
const milliseconds = (seconds: number | undefined) =>
  seconds === undefined ? '–' : `${Math.round(seconds * 1000)} ms`;

/** The live stats a call page shows, as [label, value] rows; shared by the React and Vue apps. */
export function peerStatsRows(stats: PeerStats): Array<[string, string]> {
  const video = stats.inbound.video;
  return [
    ['Bitrate in', kbps(video?.bitrate)],
    ['Bitrate out', kbps(stats.outbound.video?.bitrate)],
    ['Frames per second', video?.framesPerSecond?.toFixed(0) ?? '–'],
    ['Resolution', video?.frameWidth ? `${video.frameWidth}×${video.frameHeight}` : '–'],
    ['Round-trip time', milliseconds(stats.roundTripTime)],
    ['Packets lost', String(video?.packetsLost ?? '–')],
    ['Frames decoded', String(video?.framesDecoded ?? '–')],
  ];
}
