import {
  peerSignalingSchemas,
  type RequestSchemas,
  SignalingServer,
  schema,
} from '@medley/signaling/server';
import type { Server as SocketIoServer } from 'socket.io';
import type { LoopbackProtocol } from '../../protocol/LoopbackProtocol.js';
import { LoopbackCall } from '../calls/LoopbackCall.js';
import type { DemoMedia } from '../DemoMedia.js';
import { describeError } from '../describeError.js';
import type { Logger } from '../logger.js';

interface LoopbackSession {
  call?: LoopbackCall;
  /** The negotiation epoch of `call`: candidates of older negotiations are dropped. */
  epoch?: number;
}

const schemas: RequestSchemas<LoopbackProtocol> = {
  ...peerSignalingSchemas,
  'loopback.stop': schema.object({}),
};

/**
 * The loopback demo over Medley signaling: `peer:offer` builds a pipeline whose WebRtcEndpoint
 * loops the browser back, candidates go both ways as `peer:candidate`, and the pipeline is released
 * on `loopback.stop`, on a new offer, or when the session ends (the page left and did not come
 * back within the grace period). It serves the default namespace, `/`.
 */
export function serveLoopbackSignaling(
  io: SocketIoServer,
  media: DemoMedia,
  log: Logger,
  sessionGracePeriod: number,
): SignalingServer<LoopbackProtocol, LoopbackSession> {
  const stopCall = (session: { data: LoopbackSession }) => {
    const { call } = session.data;
    session.data = {};
    call?.stop().catch((error: unknown) => log.warn('release failed', describeError(error)));
  };

  const signaling = new SignalingServer<LoopbackProtocol, LoopbackSession>({
    io,
    schemas,
    sessionGracePeriod,
    onSessionEnd: (session, { reason }) => {
      log.info('signaling session ended', { session: session.id, reason });
      stopCall(session);
    },
    onError: (error, context) => log.error(context, describeError(error)),
  });

  signaling.handle('peer:offer', async ({ peerId, epoch, sdp }, session) => {
    stopCall(session);
    const call = new LoopbackCall(media.place(), (candidate) =>
      session.emit('peer:candidate', { peerId, epoch, candidate }),
    );
    session.data = { call, epoch };
    const sdpAnswer = await call.start(sdp);
    return { sdp: sdpAnswer };
  });

  signaling.handle('peer:candidate', async ({ epoch, candidate }, session) => {
    const { call, epoch: callEpoch } = session.data;
    if (call && epoch === callEpoch) await call.addIceCandidate(candidate);
  });

  signaling.handle('peer:answer', () => {
    throw new Error('The loopback demo does not send offers: answer nothing.');
  });

  signaling.handle('loopback.stop', (_payload, session) => {
    stopCall(session);
  });

  return signaling;
}
