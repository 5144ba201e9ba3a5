import type { Server as SocketIoServer } from 'socket.io';

/** Servers already prompted: several SignalingServers may share one socket.io Server. */
const prompted = new WeakSet<object>();

/** A few polls may come in before the client pauses polling; a client that never does is left to engine.io. */
const MAX_NUDGES_PER_UPGRADE = 4;

/**
 * Lets socket.io's upgrade from long-polling to WebSocket complete as soon as the client is
 * ready instead of up to 100 ms later. A page's first messages are sent while the upgrade is
 * under way, and the client holds them until it ends: it waits for its pending poll to return,
 * which engine.io's server forces with a no-op packet on a 100 ms interval timer. Here the
 * no-op is sent at once when the upgrade starts, and for each poll that comes in until it ends
 * (the client may poll once more before it pauses), so a call's offer is not held back.
 * Transports and fallbacks are unchanged. Every `SignalingServer` does this to its
 * socket.io Server; call it for a socket.io Server of your own that carries no SignalingServer.
 * Calling it again for the same server does nothing.
 */
export function promptTransportUpgrades(io: SocketIoServer): void {
  if (prompted.has(io.engine)) return;
  prompted.add(io.engine);
  io.engine.on('connection', (socket: (typeof io.engine)['clients'][string]) => {
    socket.on('upgrading', () => {
      const polling = socket.transport;
      let nudges = 0;
      const nudge = () => {
        if (!socket.upgrading || nudges >= MAX_NUDGES_PER_UPGRADE) {
          polling.off('ready', nudge);
          return;
        }
        if (polling.name !== 'polling' || !polling.writable) return;
        nudges++;
        polling.send([{ type: 'noop' }]);
      };
      polling.on('ready', nudge);
      socket.once('upgrade', () => polling.off('ready', nudge));
      socket.once('close', () => polling.off('ready', nudge));
      nudge();
    });
  });
}
