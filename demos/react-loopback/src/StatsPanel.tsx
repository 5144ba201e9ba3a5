import type { PeerStats } from '@medley/webrtc-peer';
import { peerStatsRows } from '../../shared/peerStatsRows.js';

export function StatsPanel({ stats }: { stats: PeerStats }) {
  return (
    <div className="stats" id="stats">
      {peerStatsRows(stats).map(([label, value]) => (
        <div key={label}>
          <span>{label}</span>
          {value}
        </div>
      ))}
    </div>
  );
}
