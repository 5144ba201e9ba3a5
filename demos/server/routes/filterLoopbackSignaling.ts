import type { MediaPipeline } from '@medley/media-client';
import {
  peerSignalingSchemas,
  type RequestSchemas,
  type Session,
  SignalingServer,
  schema,
} from '@medley/signaling/server';
import type { Server as SocketIoServer } from 'socket.io';
import type { FilterLoopbackProtocol } from '../../protocol/FilterLoopbackProtocol.js';
import { type FilterFactory, LoopbackCall } from '../calls/LoopbackCall.js';
import type { DemoMedia } from '../DemoMedia.js';
import { describeError } from '../describeError.js';
import type { Logger } from '../logger.js';

interface FilterLoopbackSession {
  call?: LoopbackCall;
  epoch?: number;
}

type FilterSession = Session<FilterLoopbackProtocol, FilterLoopbackSession>;

const schemas: RequestSchemas<FilterLoopbackProtocol> = {
  ...peerSignalingSchemas,
  'filter.stop': schema.object({}),
};

/** The hat of the magic mirror, inside the media root (the media server reads it from there). */
export const MAGIC_MIRROR_HAT_URI = 'demo-assets/hat.png';

/** Kurento's magic mirror: a hat over every face, as the tutorial places it. */
const magicMirror = (): FilterFactory => async (pipeline: MediaPipeline) => {
  const filter = await pipeline.create('FaceOverlayFilter');
  await filter.setOverlayedImage(MAGIC_MIRROR_HAT_URI, -0.35, -1.2, 1.6, 1.6);
  return filter;
};

/** The QR reader: every new code the ZBarFilter reads goes to the page. */
const qrReader =
  (session: FilterSession): FilterFactory =>
  async (pipeline: MediaPipeline) => {
    const filter = await pipeline.create('ZBarFilter');
    filter.on('CodeFound', ({ codeType, value }) => session.emit('qr.code', { codeType, value }));
    return filter;
  };

/**
 * The filter demos over Medley signaling, one namespace each: `/magic-mirror` loops the camera
 * through a FaceOverlayFilter, `/qr` through a ZBarFilter. A new offer, `filter.stop`, or the
 * end of the session releases the call's pipeline.
 */
export function serveFilterLoopbackSignaling(
  io: SocketIoServer,
  media: DemoMedia,
  log: Logger,
  sessionGracePeriod: number,
  demo: 'magic-mirror' | 'qr',
): SignalingServer<FilterLoopbackProtocol, FilterLoopbackSession> {
  const stopCall = (session: { data: FilterLoopbackSession }) => {
    const { call } = session.data;
    session.data = {};
    call?.stop().catch((error: unknown) => log.warn('release failed', describeError(error)));
  };

  const signaling = new SignalingServer<FilterLoopbackProtocol, FilterLoopbackSession>({
    io,
    namespace: `/${demo}`,
    schemas,
    sessionGracePeriod,
    onSessionEnd: (session) => stopCall(session),
    onError: (error, context) => log.error(context, describeError(error)),
  });

  signaling.handle('peer:offer', async ({ peerId, epoch, sdp }, session) => {
    stopCall(session);
    const filter = demo === 'magic-mirror' ? magicMirror() : qrReader(session);
    const call = new LoopbackCall(
      media.place(),
      (candidate) => session.emit('peer:candidate', { peerId, epoch, candidate }),
      filter,
    );
    session.data = { call, epoch };
    return { sdp: await call.start(sdp) };
  });

  signaling.handle('peer:candidate', async ({ epoch, candidate }, session) => {
    const { call, epoch: callEpoch } = session.data;
    if (call && epoch === callEpoch) await call.addIceCandidate(candidate);
  });

  signaling.handle('peer:answer', () => {
    throw new Error('The filter demos do not send offers: answer nothing.');
  });

  signaling.handle('filter.stop', (_payload, session) => stopCall(session));

  return signaling;
}
