import { Gauge, type Registry } from 'prom-client';
import type { SessionManager } from '../protocol/SessionManager.js';

/** Kurento-Protocol sessions and the WebSockets that carry them. */
export function registerSessionMetrics(
  registry: Registry,
  sessions: SessionManager,
  connections: () => number,
): void {
  new Gauge({
    name: 'medley_kurento_sessions',
    help: 'Kurento-Protocol sessions, including those whose client is away within the grace period (their objects still live).',
    registers: [registry],
    collect(this: Gauge) {
      this.set(sessions.ids.length);
    },
  });
  new Gauge({
    name: 'medley_kurento_connections',
    help: 'Open Kurento-Protocol WebSocket connections.',
    registers: [registry],
    collect(this: Gauge) {
      this.set(connections());
    },
  });
}
