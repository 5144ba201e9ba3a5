import {
  peerSignalingSchemas,
  type RequestSchemas,
  type Session,
  SignalingServer,
  schema,
} from '@medley/signaling/server';
import type { Server as SocketIoServer } from 'socket.io';
import type { OneToManyProtocol, OneToManyRole } from '../../protocol/OneToManyProtocol.js';
import { CallError } from '../calls/CallError.js';
import type { IceCandidateInit } from '../calls/IceCandidateInit.js';
import { OneToManyBroadcast, type SharedBroadcast } from '../calls/OneToManyBroadcast.js';
import type { DemoMedia } from '../DemoMedia.js';
import { describeError } from '../describeError.js';
import type { Logger } from '../logger.js';

export const oneToManyNamespace = '/one2many';

interface OneToManySessionData {
  role?: OneToManyRole;
  /** The negotiation epoch of the role's peer: candidates of older negotiations are dropped. */
  epoch?: number;
}

type OneToManySession = Session<OneToManyProtocol, OneToManySessionData>;

interface LiveBroadcast {
  media: OneToManyBroadcast;
  presenter: OneToManySession;
}

const schemas: RequestSchemas<OneToManyProtocol> = {
  ...peerSignalingSchemas,
  'one2many.stop': schema.object({}),
};

/** The signaling room of the sessions that watch. */
const audience = 'audience';

/** Where the live broadcast is, for the other app servers (with REDIS_URL). */
const sharedBroadcastKey = 'broadcast';

const endMessages = {
  stopped: 'The presenter stopped the broadcast.',
  left: 'The presenter left, so the broadcast is over.',
} as const;

/**
 * The one-to-many demo (Kurento's one2many tutorial): one presenter, any number of viewers, on
 * the `/one2many` namespace. One broadcast at a time; its pipeline is released when the presenter
 * stops or their session ends, and each viewer's endpoint when that viewer stops or leaves.
 */
export function serveOneToManySignaling(
  io: SocketIoServer,
  demoMedia: DemoMedia,
  log: Logger,
  sessionGracePeriod: number,
): SignalingServer<OneToManyProtocol, OneToManySessionData> {
  let broadcast: LiveBroadcast | undefined;
  /** A broadcast presented through another app server, whose viewers here this one serves. */
  let followed: { media: OneToManyBroadcast; shared: SharedBroadcast } | undefined;
  /** The broadcast this app server's viewers watch: its own, or the one it follows. */
  const watchedMedia = () => broadcast?.media ?? followed?.media;

  const signaling = new SignalingServer<OneToManyProtocol, OneToManySessionData>({
    io,
    namespace: oneToManyNamespace,
    schemas,
    sessionGracePeriod,
    onSessionEnd: (session) => leaveRole(session, 'left'),
    onError: (error, context) => log.error(context, describeError(error)),
  });

  const release = (what: string, releasing: Promise<void>) => {
    releasing.catch((error: unknown) => log.warn(`releasing ${what} failed`, describeError(error)));
  };

  const publishViewerCount = () => {
    if (!broadcast) return;
    const count = broadcast.media.viewerCount;
    broadcast.presenter.emit('one2many.viewers', { count });
    signaling.broadcast(audience, 'one2many.viewers', { count });
  };

  const endBroadcast = (reason: 'stopped' | 'left') => {
    const ending = broadcast;
    if (!ending) return;
    broadcast = undefined;
    ending.presenter.data = {};
    for (const viewer of signaling.roomMembers(audience)) {
      viewer.emit('one2many.ended', { reason, message: endMessages[reason] });
      viewer.leave(audience);
      viewer.data = {};
    }
    // Viewers on the other app servers (with REDIS_URL); those here have left the room.
    signaling.broadcast(audience, 'one2many.ended', { reason, message: endMessages[reason] });
    log.info('broadcast ended', { reason });
    release('the broadcast', ending.media.stop());
    signaling.store.delete(sharedBroadcastKey).catch((error: unknown) => {
      log.warn('unsharing the broadcast failed', describeError(error));
    });
  };

  /**
   * The broadcast another app server shares, followed here; a followed broadcast that ended is
   * dropped, with its viewers' roles here.
   */
  const currentFollowed = async () => {
    const shared = (await signaling.store.get(sharedBroadcastKey)) as SharedBroadcast | undefined;
    if (followed && followed.shared.pipelineId !== shared?.pipelineId) {
      const stale = followed;
      followed = undefined;
      for (const viewer of signaling.roomMembers(audience)) {
        viewer.leave(audience);
        viewer.data = {};
      }
      release('the viewers of an ended broadcast', stale.media.stop());
    }
    if (followed || !shared) return followed;
    const client = demoMedia
      .servers()
      .find((server) => server.url === shared.mediaServerUrl)?.client;
    if (!client) {
      throw new CallError(
        'NO_PRESENTER',
        'The presenter is on a media server this app server does not use: set the same MEDIA_SERVER_URL on every app server.',
      );
    }
    followed = { media: await OneToManyBroadcast.follow(client, shared), shared };
    return followed;
  };

  const stopViewing = (session: OneToManySession) => {
    session.leave(audience);
    session.data = {};
    const watched = watchedMedia();
    if (!watched) return;
    release('a viewer', watched.removeViewer(session.id));
    publishViewerCount();
  };

  function leaveRole(session: OneToManySession, reason: 'stopped' | 'left'): void {
    if (session.data.role === 'presenter') endBroadcast(reason);
    else if (session.data.role === 'viewer') stopViewing(session);
  }

  async function present(
    session: OneToManySession,
    epoch: number,
    sdpOffer: string,
  ): Promise<string> {
    assertNoRole(session);
    if (broadcast) {
      throw new CallError(
        'PRESENTER_EXISTS',
        'Someone else is presenting. Press View to watch, or present once they stop.',
      );
    }
    const mediaClient = demoMedia.place();
    const media = new OneToManyBroadcast(mediaClient, candidateSender(session, 'presenter', epoch));
    const live = { media, presenter: session };
    broadcast = live;
    session.data = { role: 'presenter', epoch };
    try {
      const sdpAnswer = await media.start(sdpOffer);
      log.info('broadcast started', { session: session.id });
      publishViewerCount();
      // The pool connected each client with the URL it was given: other app servers know it by it.
      const shared = media.shared(mediaClient.url);
      if (shared) {
        signaling.store.set(sharedBroadcastKey, shared).catch((error: unknown) => {
          log.warn('sharing the broadcast with the other app servers failed', describeError(error));
        });
      }
      return sdpAnswer;
    } catch (error) {
      if (broadcast === live) {
        broadcast = undefined;
        session.data = {};
      }
      throw error;
    }
  }

  async function view(session: OneToManySession, epoch: number, sdpOffer: string): Promise<string> {
    const remote = broadcast ? undefined : await currentFollowed();
    assertNoRole(session);
    const watched = broadcast ?? remote;
    if (!watched) {
      throw new CallError(
        'NO_PRESENTER',
        'No one is presenting yet. Press View again once a presenter has started.',
      );
    }
    session.data = { role: 'viewer', epoch };
    session.join(audience);
    try {
      const sdpAnswer = await watched.media.addViewer(
        session.id,
        sdpOffer,
        candidateSender(session, 'viewer', epoch),
      );
      publishViewerCount();
      return sdpAnswer;
    } catch (error) {
      // Unless the broadcast ended meanwhile (which cleared the role), the page has no role now.
      if (session.data.role === 'viewer' && session.data.epoch === epoch) stopViewing(session);
      throw error;
    }
  }

  signaling.handle('peer:offer', async ({ peerId, epoch, sdp }, session) => {
    switch (peerId) {
      case 'presenter':
        return { sdp: await present(session, epoch, sdp) };
      case 'viewer':
        return { sdp: await view(session, epoch, sdp) };
      default:
        throw new CallError(
          'INVALID_ARGUMENT',
          `Unknown peerId "${peerId}": the presenter's peer is "presenter", a viewer's "viewer".`,
        );
    }
  });

  signaling.handle('peer:candidate', async ({ peerId, epoch, candidate }, session) => {
    const { role, epoch: roleEpoch } = session.data;
    // A candidate of a negotiation that is over (stopped, replaced) is dropped quietly.
    if (peerId !== role || epoch !== roleEpoch) return;
    if (role === 'presenter') await broadcast?.media.addPresenterCandidate(candidate);
    else await watchedMedia()?.addViewerCandidate(session.id, candidate);
  });

  signaling.handle('peer:answer', () => {
    throw new CallError(
      'INVALID_STATE',
      'The one-to-many demo never sends offers, so there is nothing to answer.',
    );
  });

  signaling.handle('one2many.stop', (_payload, session) => {
    leaveRole(session, 'stopped');
  });

  return signaling;
}

function assertNoRole(session: OneToManySession): void {
  const { role } = session.data;
  if (role) {
    throw new CallError(
      'INVALID_STATE',
      `This page is already ${role === 'presenter' ? 'presenting' : 'watching'}: press Stop first.`,
    );
  }
}

function candidateSender(session: OneToManySession, peerId: OneToManyRole, epoch: number) {
  return (candidate: IceCandidateInit) =>
    session.emit('peer:candidate', { peerId, epoch, candidate });
}
