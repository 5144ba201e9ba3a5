import type { PeerStats, WebRtcPeerMode } from '@medley/webrtc-peer';

/** The live stats panel of every demo page: demo-page.js's rows, rendered by React. */
export function StatsPanel({ stats, mode }: { stats: PeerStats; mode?: WebRtcPeerMode }) {
  return (
    <div className="stats" id="stats">
      {demoPage.peerStatsRows(stats, mode).map(({ key, label, value }) => (
        <div key={key}>
          <span>{label}</span>
          <b data-stat={key}>{value}</b>
        </div>
      ))}
    </div>
  );
}
