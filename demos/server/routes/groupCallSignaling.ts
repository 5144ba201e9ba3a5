import { randomUUID } from 'node:crypto';
import {
  peerSignalingSchemas,
  type RequestSchemas,
  type Session,
  SignalingServer,
  schema,
} from '@medley/signaling/server';
import type { Server as SocketIoServer } from 'socket.io';
import type { GroupCallParticipant, GroupCallProtocol } from '../../protocol/GroupCallProtocol.js';
import { CallError } from '../calls/CallError.js';
import { GroupCallRoom } from '../calls/GroupCallRoom.js';
import type { IceCandidateInit } from '../calls/IceCandidateInit.js';
import type { DemoMedia } from '../DemoMedia.js';
import { describeError } from '../describeError.js';
import type { Logger } from '../logger.js';
import { ROOM_LOST_MESSAGE, RoomDirectory } from './RoomDirectory.js';
import { checkName, signalingRoom } from './roomNames.js';

export const groupCallNamespace = '/group-call';

interface GroupCallSessionData {
  room?: GroupCallRoom;
  participant?: GroupCallParticipant;
  /** The negotiation epoch of each of the page's peers: older candidates are dropped. */
  epochs?: Map<string, number>;
}

type GroupCallSession = Session<GroupCallProtocol, GroupCallSessionData>;

const schemas: RequestSchemas<GroupCallProtocol> = {
  ...peerSignalingSchemas,
  'group.join': schema.object({ room: schema.string(), name: schema.string() }),
  'group.leave': schema.object({}),
};

const publishPeerId = 'publish';
const subscribePrefix = 'subscribe:';

/**
 * The group-call demo on the `/group-call` namespace: rooms by name, in which everyone publishes
 * once and receives everyone else. A room's pipeline lives while someone is in it; a participant
 * who leaves, or whose session ends, takes every endpoint of theirs along.
 */
export function serveGroupCallSignaling(
  io: SocketIoServer,
  media: DemoMedia,
  log: Logger,
  sessionGracePeriod: number,
): SignalingServer<GroupCallProtocol, GroupCallSessionData> {
  const rooms = new RoomDirectory((name) => new GroupCallRoom(name, media.place()), log);

  const signaling = new SignalingServer<GroupCallProtocol, GroupCallSessionData>({
    io,
    namespace: groupCallNamespace,
    schemas,
    sessionGracePeriod,
    onSessionEnd: (session) => leaveRoom(session),
    onError: (error, context) => log.error(context, describeError(error)),
  });

  media.onServerLost((client) =>
    rooms.dropRoomsOn(client, (room) => {
      for (const session of signaling.sessions.values()) {
        if (session.data.room !== room) continue;
        session.leave(signalingRoom(room.name));
        session.data = {};
        session.emit('group.ended', { message: ROOM_LOST_MESSAGE });
      }
    }),
  );

  function leaveRoom(session: GroupCallSession): void {
    const { room, participant } = session.data;
    session.data = {};
    if (!room || !participant) return;
    session.leave(signalingRoom(room.name));
    signaling.broadcast(signalingRoom(room.name), 'group.participantLeft', {
      participantId: participant.id,
    });
    rooms.afterLeave(room, room.leave(participant.id));
  }

  /** The page's room and participant, or a rejection that says to join first. */
  const membership = (session: GroupCallSession) => {
    const { room, participant } = session.data;
    if (!room || !participant) throw new CallError('INVALID_STATE', 'Join a room first.');
    return { room, participant };
  };

  const candidateSender =
    (session: GroupCallSession, peerId: string, epoch: number) => (candidate: IceCandidateInit) =>
      session.emit('peer:candidate', { peerId, epoch, candidate });

  signaling.handle('group.join', ({ room: roomName, name }, session) => {
    const roomKey = checkName('room', roomName);
    const displayName = checkName('name', name);
    if (session.data.room) {
      throw new CallError(
        'INVALID_STATE',
        `This page is in room "${session.data.room.name}" already: leave it first.`,
      );
    }
    const room = rooms.open(roomKey);
    const participant = { id: randomUUID(), name: displayName };
    room.join(participant);
    session.data = { room, participant, epochs: new Map() };
    session.join(signalingRoom(roomKey));
    return { participantId: participant.id, participants: room.publishers() };
  });

  signaling.handle('group.leave', (_payload, session) => {
    leaveRoom(session);
  });

  signaling.handle('peer:offer', async ({ peerId, epoch, sdp }, session) => {
    const { room, participant } = membership(session);
    session.data.epochs?.set(peerId, epoch);
    const sendCandidate = candidateSender(session, peerId, epoch);
    if (peerId === publishPeerId) {
      const sdpAnswer = await room.publish(participant.id, sdp, sendCandidate);
      signaling.broadcast(
        signalingRoom(room.name),
        'group.participantJoined',
        { participant },
        { except: session },
      );
      return { sdp: sdpAnswer };
    }
    if (peerId.startsWith(subscribePrefix)) {
      const publisherId = peerId.slice(subscribePrefix.length);
      return { sdp: await room.subscribe(participant.id, publisherId, sdp, sendCandidate) };
    }
    throw new CallError(
      'INVALID_ARGUMENT',
      `Unknown peerId "${peerId}": publish as "publish", receive someone as "subscribe:<their id>".`,
    );
  });

  signaling.handle('peer:candidate', async ({ peerId, epoch, candidate }, session) => {
    const { room, participant, epochs } = session.data;
    // A candidate of a negotiation that is over (left, replaced) is dropped quietly.
    if (!room || !participant || epochs?.get(peerId) !== epoch) return;
    const publisherId = peerId.startsWith(subscribePrefix)
      ? peerId.slice(subscribePrefix.length)
      : undefined;
    if (publisherId === undefined && peerId !== publishPeerId) return;
    await room.addIceCandidate(participant.id, publisherId, candidate);
  });

  signaling.handle('peer:answer', () => {
    throw new CallError(
      'INVALID_STATE',
      'The group-call demo never sends offers, so there is nothing to answer.',
    );
  });

  return signaling;
}
