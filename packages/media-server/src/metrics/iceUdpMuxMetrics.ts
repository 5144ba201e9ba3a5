import { Gauge, type Registry } from 'prom-client';
import type { IceUdpMux } from '../transport/index.js';
import { runningTotalCounter } from './runningTotalCounter.js';

/** The one ICE port's routing (`--ice-udp-port`): registered only when the server has one. */
export function registerIceUdpMuxMetrics(registry: Registry, mux: IceUdpMux): void {
  new Gauge({
    name: 'medley_ice_udp_mux_transports',
    help: 'ICE agents (one per WebRtcEndpoint and ICE component) attached to the one ICE UDP port.',
    registers: [registry],
    collect(this: Gauge) {
      this.set(mux.counters.transports);
    },
  });
  new Gauge({
    name: 'medley_ice_udp_mux_routes',
    help: 'Remote addresses the ICE UDP port routes to an ICE agent.',
    registers: [registry],
    collect(this: Gauge) {
      this.set(mux.counters.routes);
    },
  });
  runningTotalCounter({
    registry,
    name: 'medley_ice_udp_mux_dropped_datagrams_total',
    help: 'Datagrams that reached the ICE UDP port from a source no ICE agent knows (no STUN request with a known ufrag came from it), dropped.',
    labelNames: [],
    totals: () => [{ labels: {}, value: mux.counters.droppedFromUnknownSources }],
  });
}
