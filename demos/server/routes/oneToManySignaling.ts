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
  /**
   * The broadcast's pipeline and, for a viewer, its endpoint, once negotiated: with REDIS_URL,
   * what another app server needs to go on serving the page when its session moves there.
   */
  pipelineId?: string;
  viewerEndpointId?: string;
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
  lost: 'The broadcast was lost while the demo server changed. Press View or Present to start again.',
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
  {
    sessionGracePeriod,
    viewersPerMediaServer,
  }: { sessionGracePeriod: number; viewersPerMediaServer: number },
): SignalingServer<OneToManyProtocol, OneToManySessionData> {
  const placement = demoMedia.viewerPlacement(viewersPerMediaServer);
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
    onSessionMoved: (session) => resumeMovedRole(session),
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
    const pipelineId = ending.media.pipelineId;
    release('the broadcast', ending.media.stop());
    if (pipelineId) void forgetSharedBroadcast(pipelineId);
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
        'MISCONFIGURED',
        'The presenter is on a media server this app server does not use: set the same MEDIA_SERVER_URL on every app server.',
      );
    }
    try {
      followed = { media: await OneToManyBroadcast.follow(client, shared, placement), shared };
    } catch (error) {
      // Its pipeline is gone: its app server went away and its presenter did not come back.
      await forgetSharedBroadcast(shared.pipelineId);
      throw error;
    }
    return followed;
  };

  /** Unshares the broadcast of `pipelineId`, and only it: another one may have replaced it. */
  async function forgetSharedBroadcast(pipelineId: string): Promise<void> {
    try {
      const current = (await signaling.store.get(sharedBroadcastKey)) as
        | SharedBroadcast
        | undefined;
      if (current?.pipelineId === pipelineId) await signaling.store.delete(sharedBroadcastKey);
    } catch (error) {
      log.warn('unsharing the broadcast failed', describeError(error));
    }
  }

  /** Whether another app server's broadcast is live (with REDIS_URL): then nobody else presents. */
  const presentedElsewhere = async () => {
    try {
      return (await currentFollowed()) !== undefined;
    } catch (error) {
      if (error instanceof CallError && error.code === 'NO_PRESENTER') return false;
      if (error instanceof CallError) return true;
      // Redis is down: this app server serves its own pages, as if it were alone.
      log.warn('cannot tell whether another app server has a presenter', describeError(error));
      return false;
    }
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
    const elsewhere = broadcast ? false : await presentedElsewhere();
    // Checked after the lookup: other requests of this page or others ran meanwhile.
    assertNoRole(session);
    if (broadcast || elsewhere) throw presenterExists();
    const mediaClient = demoMedia.place();
    const media = new OneToManyBroadcast(
      mediaClient,
      candidateSender(session, 'presenter', epoch),
      placement,
    );
    const live = { media, presenter: session };
    broadcast = live;
    session.data = { role: 'presenter', epoch };
    try {
      const sdpAnswer = await media.start(sdpOffer);
      // The pool connected each client with the URL it was given: other app servers know it by it.
      const shared = media.shared(mediaClient.url);
      if (shared && !(await claimSharedBroadcast(shared))) {
        // A presenter on another app server started at the same moment, and got there first.
        if (broadcast === live) endBroadcast('stopped');
        throw presenterExists();
      }
      if (broadcast !== live) throw new CallError('ENDED', 'The broadcast was stopped meanwhile.');
      session.data = { role: 'presenter', epoch, pipelineId: media.pipelineId };
      log.info('broadcast started', { session: session.id });
      publishViewerCount();
      return sdpAnswer;
    } catch (error) {
      if (broadcast === live) {
        broadcast = undefined;
        session.data = {};
      }
      throw error;
    }
  }

  /** Shares the broadcast with the other app servers; false when one of them has its own. */
  async function claimSharedBroadcast(shared: SharedBroadcast): Promise<boolean> {
    try {
      return await signaling.store.setIfAbsent(sharedBroadcastKey, shared);
    } catch (error) {
      log.warn('sharing the broadcast with the other app servers failed', describeError(error));
      return true;
    }
  }

  /**
   * The page's session moved here because its app server went away (REDIS_URL): its media is
   * still flowing on the media server, so this server takes over the viewer's endpoint or, for
   * the presenter, the whole broadcast. When that is no longer possible the page is told.
   */
  async function resumeMovedRole(session: OneToManySession): Promise<void> {
    const { role, pipelineId, viewerEndpointId } = session.data;
    if (!role) return;
    try {
      if (!pipelineId) throw new CallError('ENDED', 'The page had not started yet.');
      if (role === 'presenter') await takeOverBroadcast(session, pipelineId);
      else await adoptViewer(session, pipelineId, viewerEndpointId);
      log.info('session moved here, its media goes on', { session: session.id, role });
    } catch (error) {
      log.info('session moved here, its media could not go on', {
        session: session.id,
        role,
        reason: describeError(error),
      });
      session.data = {};
      session.leave(audience);
      session.emit('one2many.ended', { reason: 'lost', message: endMessages.lost });
    }
  }

  async function takeOverBroadcast(session: OneToManySession, pipelineId: string): Promise<void> {
    if (broadcast) throw presenterExists();
    const followedHere = await currentFollowed();
    if (!followedHere || followedHere.shared.pipelineId !== pipelineId) {
      throw new CallError('ENDED', 'The broadcast is over.');
    }
    followed = undefined;
    followedHere.media.takeOver();
    broadcast = { media: followedHere.media, presenter: session };
    publishViewerCount();
  }

  async function adoptViewer(
    session: OneToManySession,
    pipelineId: string,
    endpointId: string | undefined,
  ): Promise<void> {
    const watched = broadcast?.media ?? (await currentFollowed())?.media;
    if (!watched || watched.pipelineId !== pipelineId || !endpointId) {
      throw new CallError('ENDED', 'The broadcast is over.');
    }
    await watched.adoptViewer(session.id, endpointId);
    session.join(audience);
    publishViewerCount();
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
      if (session.data.role === 'viewer' && session.data.epoch === epoch) {
        session.data = {
          role: 'viewer',
          epoch,
          pipelineId: watched.media.pipelineId,
          viewerEndpointId: watched.media.viewerEndpointId(session.id),
        };
      }
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

function presenterExists(): CallError {
  return new CallError(
    'PRESENTER_EXISTS',
    'Someone else is presenting. Press View to watch, or present once they stop.',
  );
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
