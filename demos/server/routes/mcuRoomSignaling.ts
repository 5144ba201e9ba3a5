import { randomUUID } from 'node:crypto';
import {
  peerSignalingSchemas,
  type RequestSchemas,
  type Session,
  SignalingServer,
  schema,
} from '@medley/signaling/server';
import type { Server as SocketIoServer } from 'socket.io';
import type { McuRoomParticipant, McuRoomProtocol } from '../../protocol/McuRoomProtocol.js';
import { CallError } from '../calls/CallError.js';
import { McuRoom } from '../calls/McuRoom.js';
import type { DemoMedia } from '../DemoMedia.js';
import { describeError } from '../describeError.js';
import type { Logger } from '../logger.js';
import { ROOM_LOST_MESSAGE, RoomDirectory } from './RoomDirectory.js';
import { checkName, signalingRoom } from './roomNames.js';

export const mcuRoomNamespace = '/mcu-room';

interface McuRoomSessionData {
  room?: McuRoom;
  participant?: McuRoomParticipant;
  /** The epoch of the page's last offer: candidates of older negotiations are dropped. */
  epoch?: number;
}

type McuRoomSession = Session<McuRoomProtocol, McuRoomSessionData>;

const schemas: RequestSchemas<McuRoomProtocol> = {
  ...peerSignalingSchemas,
  'mcu.join': schema.object({ room: schema.string(), name: schema.string() }),
  'mcu.leave': schema.object({}),
};

const mixPeerId = 'mix';

/**
 * The mixed-room demo on the `/mcu-room` namespace: rooms by name, each a Composite on the media
 * server. A room's pipeline lives while someone is in it; a participant who leaves, or whose
 * session ends, takes their endpoint and port along, and the others' grid shrinks.
 */
export function serveMcuRoomSignaling(
  io: SocketIoServer,
  media: DemoMedia,
  log: Logger,
  sessionGracePeriod: number,
): SignalingServer<McuRoomProtocol, McuRoomSessionData> {
  const rooms = new RoomDirectory((name) => new McuRoom(name, media.place()), log);

  const signaling = new SignalingServer<McuRoomProtocol, McuRoomSessionData>({
    io,
    namespace: mcuRoomNamespace,
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
        session.emit('mcu.ended', { message: ROOM_LOST_MESSAGE });
      }
    }),
  );

  function leaveRoom(session: McuRoomSession): void {
    const { room, participant } = session.data;
    session.data = {};
    if (!room || !participant) return;
    session.leave(signalingRoom(room.name));
    signaling.broadcast(signalingRoom(room.name), 'mcu.participantLeft', {
      participantId: participant.id,
    });
    rooms.afterLeave(room, room.leave(participant.id));
  }

  const checkMixPeer = (peerId: string) => {
    if (peerId !== mixPeerId) {
      throw new CallError(
        'INVALID_ARGUMENT',
        `Unknown peerId "${peerId}": a mixed room has one peer per page, "${mixPeerId}".`,
      );
    }
  };

  signaling.handle('mcu.join', ({ room: roomName, name }, session) => {
    const roomKey = checkName('room', roomName);
    const displayName = checkName('name', name);
    if (session.data.room) {
      throw new CallError(
        'INVALID_STATE',
        `This page is in room "${session.data.room.name}" already: leave it first.`,
      );
    }
    const room = rooms.open(roomKey);
    const participants = room.participants();
    const participant = { id: randomUUID(), name: displayName };
    room.join(participant);
    session.data = { room, participant };
    signaling.broadcast(signalingRoom(roomKey), 'mcu.participantJoined', { participant });
    session.join(signalingRoom(roomKey));
    return { participantId: participant.id, participants };
  });

  signaling.handle('mcu.leave', (_payload, session) => {
    leaveRoom(session);
  });

  signaling.handle('peer:offer', async ({ peerId, epoch, sdp }, session) => {
    const { room, participant } = session.data;
    if (!room || !participant) throw new CallError('INVALID_STATE', 'Join a room first.');
    checkMixPeer(peerId);
    session.data.epoch = epoch;
    const sendCandidate = (candidate: Parameters<typeof room.addIceCandidate>[1]) =>
      session.emit('peer:candidate', { peerId, epoch, candidate });
    return { sdp: await room.connect(participant.id, sdp, sendCandidate) };
  });

  signaling.handle('peer:candidate', async ({ peerId, epoch, candidate }, session) => {
    const { room, participant } = session.data;
    // A candidate of a negotiation that is over (left, replaced) is dropped quietly.
    if (!room || !participant || peerId !== mixPeerId || session.data.epoch !== epoch) return;
    await room.addIceCandidate(participant.id, candidate);
  });

  signaling.handle('peer:answer', () => {
    throw new CallError(
      'INVALID_STATE',
      'The mixed-room demo never sends offers, so there is nothing to answer.',
    );
  });

  return signaling;
}
