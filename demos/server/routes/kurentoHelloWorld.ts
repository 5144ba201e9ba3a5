import type { WebSocket } from 'ws';
import { parseIceCandidate } from '../calls/IceCandidateInit.js';
import { LoopbackCall } from '../calls/LoopbackCall.js';
import type { DemoMedia } from '../DemoMedia.js';
import { describeError } from '../describeError.js';
import type { Logger } from '../logger.js';

/**
 * The Kurento hello-world tutorial's app-server protocol, message for message, on a plain
 * WebSocket: `start {sdpOffer}` → `startResponse {sdpAnswer}`, `onIceCandidate {candidate}` →
 * `iceCandidate {candidate}` back, `stop`, and `error {message}`. Pages written for that tutorial
 * (and kurento-utils) run against it unchanged.
 */
export function serveKurentoHelloWorld(socket: WebSocket, media: DemoMedia, log: Logger): void {
  let call: LoopbackCall | undefined;
  const send = (message: Record<string, unknown>) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const stopCall = () => {
    const stopping = call;
    call = undefined;
    stopping?.stop().catch((error: unknown) => log.warn('release failed', describeError(error)));
  };

  socket.on('message', async (data) => {
    let message: { id?: unknown; sdpOffer?: unknown; candidate?: unknown };
    try {
      message = JSON.parse(String(data));
    } catch {
      send({ id: 'error', message: 'Messages must be JSON objects with an "id".' });
      return;
    }
    switch (message.id) {
      case 'start': {
        if (typeof message.sdpOffer !== 'string') {
          send({ id: 'error', message: '"start" needs an "sdpOffer" string.' });
          return;
        }
        stopCall();
        const thisCall = new LoopbackCall(media.place(), (candidate) =>
          send({ id: 'iceCandidate', candidate }),
        );
        call = thisCall;
        try {
          const sdpAnswer = await thisCall.start(message.sdpOffer);
          send({ id: 'startResponse', sdpAnswer });
        } catch (error) {
          if (call === thisCall) call = undefined;
          send({ id: 'error', message: describeError(error) });
        }
        return;
      }
      case 'onIceCandidate': {
        const candidate = parseIceCandidate(message.candidate);
        if (!candidate) {
          send({ id: 'error', message: '"onIceCandidate" needs a "candidate" object.' });
          return;
        }
        await call?.addIceCandidate(candidate).catch((error: unknown) => {
          send({ id: 'error', message: describeError(error) });
        });
        return;
      }
      case 'stop':
        stopCall();
        return;
      default:
        send({ id: 'error', message: `Invalid message ${JSON.stringify(message.id)}` });
    }
  });
  socket.on('close', stopCall);
}
