import type { ObjectRegistry } from '../objects/ObjectRegistry.js';
import type { ProcessingPlane } from '../processing/ProcessingPlane.js';
import type { SessionManager } from '../protocol/SessionManager.js';
import type { AdmissionControl, MediaLoop } from '../server/AdmissionControl.js';
import type { IceUdpMux } from '../transport/index.js';

/**
 * What a media server's metrics read when scraped: the state and counters the server keeps
 * anyway. Nothing here is updated for metrics on the packet path.
 */
export interface MetricsSources {
  readonly objects: ObjectRegistry;
  readonly sessions: SessionManager;
  /** Open Kurento-Protocol WebSockets. */
  readonly connections: () => number;
  readonly processing: ProcessingPlane;
  readonly admission: AdmissionControl;
  /** The event loops that carry media, each named for the `loop` label. */
  readonly loops: () => readonly MediaLoop[];
  /** The absolute media root, whose recordings' bytes are counted. */
  readonly mediaRoot: string;
  /** The one ICE UDP port (`--ice-udp-port`), when the server has one. */
  readonly iceUdpMux?: IceUdpMux | undefined;
}
