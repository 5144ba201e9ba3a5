import {
  peerSignalingSchemas,
  type RequestSchemas,
  type Session,
  SignalingServer,
  schema,
} from '@medley/signaling/server';
import type { Server as SocketIoServer } from 'socket.io';
import type {
  RecorderProtocol,
  RecordingInfo,
  RecordingProfile,
} from '../../protocol/RecorderProtocol.js';
import { CallError } from '../calls/CallError.js';
import type { IceCandidateInit } from '../calls/IceCandidateInit.js';
import { PlaybackCall } from '../calls/PlaybackCall.js';
import { RecordingCall } from '../calls/RecordingCall.js';
import type { RecordingLibrary } from '../calls/RecordingLibrary.js';
import type { DemoMedia } from '../DemoMedia.js';
import { describeError } from '../describeError.js';
import type { Logger } from '../logger.js';

export const recorderNamespace = '/recorder';

type Activity =
  | { kind: 'recording'; call: RecordingCall; name: string; epoch: number; peerId: string }
  | { kind: 'playback'; call: PlaybackCall; name: string; epoch: number; peerId: string };

interface RecorderSessionData {
  activity?: Activity;
}

type RecorderSession = Session<RecorderProtocol, RecorderSessionData>;

const schemas: RequestSchemas<RecorderProtocol> = {
  ...peerSignalingSchemas,
  'recorder.stop': schema.object({}),
  'recorder.progress': schema.object({}),
  'recorder.list': schema.object({}),
};

/** A call that failed to start released its pipeline: the session no longer has an activity. */
async function forgetOnFailure<T>(
  session: RecorderSession,
  call: RecordingCall | PlaybackCall,
  starting: Promise<T>,
): Promise<T> {
  try {
    return await starting;
  } catch (error) {
    if (session.data.activity?.call === call) session.data = {};
    throw error;
  }
}

const recordPeerId = /^record:(WEBM|MP4)$/;
const playPeerPrefix = 'play:';

/**
 * The recorder demo (Kurento's recorder tutorial): record the camera to a file in the media
 * server's media root, list the recordings, and play one back through a PlayerEndpoint. Each page
 * does one thing at a time; its pipeline is released on stop, on a new offer, or when its session
 * ends.
 */
export function serveRecorderSignaling(
  io: SocketIoServer,
  media: DemoMedia,
  library: RecordingLibrary,
  log: Logger,
  sessionGracePeriod: number,
): SignalingServer<RecorderProtocol, RecorderSessionData> {
  const release = (session: RecorderSession) => {
    const { activity } = session.data;
    session.data = {};
    activity?.call
      .release()
      .catch((error: unknown) => log.warn('release failed', describeError(error)));
  };

  const signaling = new SignalingServer<RecorderProtocol, RecorderSessionData>({
    io,
    namespace: recorderNamespace,
    schemas,
    sessionGracePeriod,
    onSessionEnd: (session) => release(session),
    onError: (error, context) => log.error(context, describeError(error)),
  });

  const candidateSender =
    (session: RecorderSession, peerId: string, epoch: number) => (candidate: IceCandidateInit) =>
      session.emit('peer:candidate', { peerId, epoch, candidate });
  const reportFailure = (session: RecorderSession) => (message: string) =>
    session.emit('recorder.failed', { message });

  signaling.handle('peer:offer', async ({ peerId, epoch, sdp }, session) => {
    release(session);
    const recordMatch = recordPeerId.exec(peerId);
    if (recordMatch) {
      const profile = recordMatch[1] as RecordingProfile;
      const name = library.newName(profile);
      const call = new RecordingCall(media.place(), {
        sendCandidate: candidateSender(session, peerId, epoch),
        recording: () => session.emit('recorder.recording', { name }),
        failed: reportFailure(session),
      });
      session.data = { activity: { kind: 'recording', call, name, epoch, peerId } };
      return { sdp: await forgetOnFailure(session, call, call.start(sdp, name, profile)) };
    }
    if (peerId.startsWith(playPeerPrefix)) {
      const name = library.checkName(peerId.slice(playPeerPrefix.length));
      if (!(await library.info(name))) {
        throw new CallError(
          'NOT_FOUND',
          `There is no recording "${name}": pick one from the list.`,
        );
      }
      const call = new PlaybackCall(media.place(), {
        sendCandidate: candidateSender(session, peerId, epoch),
        ended: () => session.emit('recorder.playEnded', { name }),
        failed: reportFailure(session),
      });
      session.data = { activity: { kind: 'playback', call, name, epoch, peerId } };
      return { sdp: await forgetOnFailure(session, call, call.start(sdp, name)) };
    }
    throw new CallError(
      'INVALID_ARGUMENT',
      `Unknown peer "${peerId}": offer as "record:WEBM", "record:MP4" or "play:<recording>".`,
    );
  });

  signaling.handle('peer:candidate', async ({ peerId, epoch, candidate }, session) => {
    const { activity } = session.data;
    if (activity && activity.peerId === peerId && activity.epoch === epoch) {
      await activity.call.addIceCandidate(candidate);
    }
  });

  signaling.handle('peer:answer', () => {
    throw new CallError('INVALID_STATE', 'The recorder demo sends no offers: answer nothing.');
  });

  signaling.handle('recorder.stop', async (_payload, session) => {
    const { activity } = session.data;
    session.data = {};
    if (activity?.kind !== 'recording') {
      await activity?.call.release();
      return {};
    }
    const recordedSeconds = await activity.call.stop();
    const recording: RecordingInfo | undefined = await library.info(activity.name);
    return recording ? { recording, recordedSeconds } : { recordedSeconds };
  });

  signaling.handle('recorder.progress', async (_payload, session) => {
    const { activity } = session.data;
    if (activity?.kind !== 'recording' || !activity.call.recording) return {};
    const info = await library.info(activity.name);
    return {
      progress: { name: activity.name, ...(info && { sizeBytes: info.sizeBytes }) },
    };
  });

  signaling.handle('recorder.list', async () => ({ recordings: await library.list() }));

  return signaling;
}
