import type { PeerStats } from '@medley/webrtc-peer';

const kbps = (bitsPerSecond: number | undefined) =>
  bitsPerSecond === undefined ? '–' : `${Math.round(bitsPerSecond / 1000)} kbps`;
const milliseconds = (seconds: number | undefined) =>
  seconds === undefined ? '–' : `${Math.round(seconds * 1000)} ms`;

export function StatsPanel({ stats }: { stats: PeerStats }) {
  const video = stats.inbound.video;
  const rows: Array<[string, string]> = [
    ['Bitrate in', kbps(video?.bitrate)],
    ['Bitrate out', kbps(stats.outbound.video?.bitrate)],
    ['Frames per second', video?.framesPerSecond?.toFixed(0) ?? '–'],
    ['Resolution', video?.frameWidth ? `${video.frameWidth}×${video.frameHeight}` : '–'],
    ['Round-trip time', milliseconds(stats.roundTripTime)],
    ['Packets lost', String(video?.packetsLost ?? '–')],
    ['Frames decoded', String(video?.framesDecoded ?? '–')],
  ];
  return (
    <div className="stats" id="stats">
      {rows.map(([label, value]) => (
        <div key={label}>
          <span>{label}</span>
          {value}
        </div>
      ))}
    </div>
  );
}
