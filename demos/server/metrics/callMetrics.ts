import { Gauge, type Registry } from 'prom-client';
import type { DemoSignaling } from './DemoSignaling.js';

interface CallCounts {
  demo: string;
  /** Calls with media on the media server (a pipeline each). */
  calls: number;
  /** Sessions taking part in them, by role. */
  participants: Record<string, number>;
}

/** What each demo's sessions are doing now, read from their session data when scraped. */
function countCalls(signaling: DemoSignaling): CallCounts[] {
  const callers = (sessions: Iterable<{ readonly data: { readonly call?: unknown } }>) =>
    [...sessions].filter((session) => session.data.call).length;
  const loopback = callers(signaling.loopback.sessions.values());
  const magicMirror = callers(signaling.magicMirror.sessions.values());
  const qr = callers(signaling.qr.sessions.values());

  let presenters = 0;
  let viewers = 0;
  for (const session of signaling.oneToMany.sessions.values()) {
    if (session.data.role === 'presenter') presenters++;
    else if (session.data.role === 'viewer') viewers++;
  }

  const groupCall = countRooms(signaling.groupCall.sessions.values());
  const mcuRoom = countRooms(signaling.mcuRoom.sessions.values());

  let recording = 0;
  let playback = 0;
  for (const session of signaling.recorder.sessions.values()) {
    if (session.data.activity?.kind === 'recording') recording++;
    else if (session.data.activity?.kind === 'playback') playback++;
  }

  return [
    { demo: 'loopback', calls: loopback, participants: { caller: loopback } },
    {
      demo: 'one2many',
      calls: presenters,
      participants: { presenter: presenters, viewer: viewers },
    },
    { demo: 'group-call', calls: groupCall.rooms, participants: { member: groupCall.members } },
    { demo: 'mcu-room', calls: mcuRoom.rooms, participants: { member: mcuRoom.members } },
    {
      demo: 'recorder',
      calls: recording + playback,
      participants: { recording, playback },
    },
    { demo: 'magic-mirror', calls: magicMirror, participants: { caller: magicMirror } },
    { demo: 'qr', calls: qr, participants: { caller: qr } },
  ];
}

/** Rooms with someone in them, and the sessions in a room. */
function countRooms(sessions: Iterable<{ readonly data: { readonly room?: unknown } }>): {
  rooms: number;
  members: number;
} {
  const rooms = new Set<unknown>();
  let members = 0;
  for (const session of sessions) {
    if (!session.data.room) continue;
    rooms.add(session.data.room);
    members++;
  }
  return { rooms: rooms.size, members };
}

/** Calls (broadcasts, rooms) and the sessions in them, by demo. */
export function registerCallMetrics(registry: Registry, signaling: DemoSignaling): void {
  new Gauge({
    name: 'medley_demo_calls',
    help: 'Calls with media on the media server, by demo: loopback, magic-mirror and qr calls, one2many broadcasts, group-call and mcu-room rooms, recorder recordings and playbacks.',
    labelNames: ['demo'],
    registers: [registry],
    collect(this: Gauge<'demo'>) {
      for (const { demo, calls } of countCalls(signaling)) this.set({ demo }, calls);
    },
  });
  new Gauge({
    name: 'medley_demo_call_participants',
    help: 'Signaling sessions taking part in a call, by demo and role (loopback, magic-mirror and qr caller; one2many presenter, viewer; group-call and mcu-room member; recorder recording, playback).',
    labelNames: ['demo', 'role'],
    registers: [registry],
    collect(this: Gauge<'demo' | 'role'>) {
      for (const { demo, participants } of countCalls(signaling)) {
        for (const [role, count] of Object.entries(participants)) this.set({ demo, role }, count);
      }
    },
  });
}
