import type { Server as SocketIoServer } from 'socket.io';
import type { WebSocketServer } from 'ws';
import type { serveFilterLoopbackSignaling } from '../routes/filterLoopbackSignaling.js';
import { groupCallNamespace, type serveGroupCallSignaling } from '../routes/groupCallSignaling.js';
import type { serveLoopbackSignaling } from '../routes/loopbackSignaling.js';
import { mcuRoomNamespace, type serveMcuRoomSignaling } from '../routes/mcuRoomSignaling.js';
import { oneToManyNamespace, type serveOneToManySignaling } from '../routes/oneToManySignaling.js';
import { recorderNamespace, type serveRecorderSignaling } from '../routes/recorderSignaling.js';

/** The signaling of every demo, as the app server runs it: what the demo metrics read. */
export interface DemoSignaling {
  readonly loopback: ReturnType<typeof serveLoopbackSignaling>;
  readonly oneToMany: ReturnType<typeof serveOneToManySignaling>;
  readonly groupCall: ReturnType<typeof serveGroupCallSignaling>;
  readonly mcuRoom: ReturnType<typeof serveMcuRoomSignaling>;
  readonly recorder: ReturnType<typeof serveRecorderSignaling>;
  readonly magicMirror: ReturnType<typeof serveFilterLoopbackSignaling>;
  readonly qr: ReturnType<typeof serveFilterLoopbackSignaling>;
  /** The Kurento tutorial's plain WebSocket (`/helloworld`). */
  readonly helloWorld: WebSocketServer;
}

/** A socket.io demo as the connection and session metrics see it. */
export interface SocketIoDemo {
  /** The `demo` label. */
  readonly demo: string;
  readonly namespace: string;
  readonly server: {
    readonly io: SocketIoServer;
    readonly sessions: ReadonlyMap<string, { readonly connected: boolean }>;
  };
}

export function socketIoDemos(signaling: DemoSignaling): SocketIoDemo[] {
  return [
    { demo: 'loopback', namespace: '/', server: signaling.loopback },
    { demo: 'one2many', namespace: oneToManyNamespace, server: signaling.oneToMany },
    { demo: 'group-call', namespace: groupCallNamespace, server: signaling.groupCall },
    { demo: 'mcu-room', namespace: mcuRoomNamespace, server: signaling.mcuRoom },
    { demo: 'recorder', namespace: recorderNamespace, server: signaling.recorder },
    { demo: 'magic-mirror', namespace: '/magic-mirror', server: signaling.magicMirror },
    { demo: 'qr', namespace: '/qr', server: signaling.qr },
  ];
}
