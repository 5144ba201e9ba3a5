// Preloaded into the demo server by bench/first-frame.ts --trace (`node --import tsx --import
// <this file>`): appends timestamped events of a call's set-up to FIRST_FRAME_TRACE, one JSON
// object a line, in epoch milliseconds (the page's marks use the same clock):
// - JSON-RPC requests between the demo app and its embedded media server (the `ws` frames);
// - werift's negotiation steps (setRemoteDescription, createAnswer, setLocalDescription and the
//   gathering inside it), ICE and DTLS state changes;
// - the first STUN, DTLS and RTP datagrams each way on werift's UDP sockets, the first decrypted
//   RTP and the first VP8 keyframe received.
// Nothing is changed: every hook calls what it wraps.

import { Socket } from 'node:dgram';
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Connection, RTCPeerConnection } from 'werift';

const traceFile = process.env.FIRST_FRAME_TRACE;

export interface TraceEvent {
  /** Epoch milliseconds (performance.timeOrigin + performance.now()). */
  readonly t: number;
  readonly e: string;
}

function mark(e: string): void {
  if (!traceFile) return;
  const event: TraceEvent = { t: performance.timeOrigin + performance.now(), e };
  appendFileSync(traceFile, `${JSON.stringify(event)}\n`);
}

type AsyncMethod = (this: unknown, ...args: unknown[]) => Promise<unknown>;

function wrapAsync(prototype: object, name: string, label: string): void {
  const target = prototype as Record<string, AsyncMethod>;
  const original = target[name];
  if (!original) return;
  target[name] = async function (this: unknown, ...args: unknown[]) {
    mark(`${label} start`);
    try {
      return await original.apply(this, args);
    } finally {
      mark(`${label} end`);
    }
  };
}

wrapAsync(RTCPeerConnection.prototype, 'setRemoteDescription', 'werift setRemoteDescription');
wrapAsync(RTCPeerConnection.prototype, 'createAnswer', 'werift createAnswer');
wrapAsync(RTCPeerConnection.prototype, 'setLocalDescription', 'werift setLocalDescription');
wrapAsync(RTCPeerConnection.prototype, 'gatherCandidates', 'werift gathering');

// When werift's ICE agent selects the pair (the peer nominated it), before its check loop ends.
type CheckComplete = (this: { nominated?: unknown }, pair: unknown) => void;
const connectionPrototype = Connection.prototype as unknown as { checkComplete: CheckComplete };
const checkComplete = connectionPrototype.checkComplete;
connectionPrototype.checkComplete = function (pair) {
  const before = this.nominated;
  checkComplete.call(this, pair);
  if (!before && this.nominated) mark('ICE pair nominated');
};

// State changes and the first decrypted RTP, watched once the local description is set.
const setLocalDescription = RTCPeerConnection.prototype.setLocalDescription as (
  this: RTCPeerConnection,
  ...args: unknown[]
) => Promise<unknown>;
(RTCPeerConnection.prototype as { setLocalDescription: unknown }).setLocalDescription =
  async function (this: RTCPeerConnection, ...args: unknown[]) {
    const result = await setLocalDescription.apply(this, args);
    for (const dtls of this.dtlsTransports) {
      dtls.iceTransport.onStateChange.subscribe((state) => mark(`ICE ${state}`));
      dtls.onStateChange.subscribe((state) => mark(`DTLS ${state}`));
      const payloadTypesSeen = new Set<number>();
      let keyframeSeen = false;
      dtls.onRtp.subscribe((rtp) => {
        if (!payloadTypesSeen.has(rtp.header.payloadType)) {
          payloadTypesSeen.add(rtp.header.payloadType);
          mark(`first RTP decrypted, payload type ${rtp.header.payloadType}`);
        }
        if (!keyframeSeen && isVp8KeyframeStart(rtp.payload)) {
          keyframeSeen = true;
          mark('first VP8 keyframe in');
        }
      });
    }
    return result;
  };

/** The first packet of a VP8 keyframe (RFC 7741 payload descriptor, then the P bit). */
function isVp8KeyframeStart(payload: Buffer): boolean {
  if (payload.length < 2) return false;
  const first = payload[0] as number;
  const startOfPartition = (first & 0x10) !== 0 && (first & 0x07) === 0;
  if (!startOfPartition) return false;
  let offset = 1;
  if (first & 0x80) {
    const extension = payload[offset++] as number;
    if (extension & 0x80) offset += ((payload[offset] as number) & 0x80) !== 0 ? 2 : 1;
    if (extension & 0x40) offset++;
    if (extension & 0x30) offset++;
  }
  return offset < payload.length && ((payload[offset] as number) & 0x01) === 0;
}

/** STUN, DTLS or RTP/RTCP by the first byte (RFC 7983), RTCP by its packet type. */
function kindOf(datagram: Buffer): string | undefined {
  const first = datagram[0];
  if (first === undefined) return undefined;
  if (first < 4) return 'STUN';
  if (first >= 20 && first <= 63) return 'DTLS';
  if (first >= 128 && first <= 191) {
    const type = datagram[1] ?? 0;
    return type >= 192 && type <= 223 ? 'RTCP' : 'RTP';
  }
  return undefined;
}

const seen = new WeakMap<Socket, Set<string>>();
function markDatagram(socket: Socket, direction: 'in' | 'out', datagram: unknown): void {
  const buffer = Array.isArray(datagram) ? datagram[0] : datagram;
  if (!Buffer.isBuffer(buffer)) return;
  const kind = kindOf(buffer);
  if (!kind) return;
  let kinds = seen.get(socket);
  if (!kinds) {
    kinds = new Set();
    seen.set(socket, kinds);
  }
  // Every DTLS record is marked (the handshake has few); of the others the first only.
  const label =
    kind === 'DTLS'
      ? `DTLS ${direction} (type ${buffer[0]}, ${buffer.length} B)`
      : `${kind} ${direction}`;
  if (kind !== 'DTLS' && kinds.has(label)) return;
  kinds.add(label);
  mark(`first ${label}`.replace('first DTLS', 'DTLS record'));
}

const send = Socket.prototype.send as (this: Socket, ...args: unknown[]) => void;
Socket.prototype.send = function (this: Socket, ...args: unknown[]) {
  markDatagram(this, 'out', args[0]);
  return send.apply(this, args);
} as typeof Socket.prototype.send;
const emit = Socket.prototype.emit as (
  this: Socket,
  event: string | symbol,
  ...args: unknown[]
) => boolean;
Socket.prototype.emit = function (this: Socket, event: string | symbol, ...args: unknown[]) {
  if (event === 'message') markDatagram(this, 'in', args[0]);
  return emit.call(this, event, ...args);
} as typeof Socket.prototype.emit;

// JSON-RPC between the demo app and the embedded media server, and socket.io frames.
const require = createRequire(import.meta.url);
interface WebSocketClass {
  prototype: {
    send: (this: unknown, data: unknown, ...rest: unknown[]) => void;
    emit: (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
  };
}
function textOf(data: unknown): string {
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString();
  return '';
}
function traceWebSocketSends(
  wsPath: string,
  label: (text: string, direction: 'in' | 'out') => string | undefined,
): void {
  let WebSocket: WebSocketClass;
  try {
    WebSocket = require(wsPath);
  } catch {
    return;
  }
  const { send, emit } = WebSocket.prototype;
  WebSocket.prototype.send = function (this: unknown, data: unknown, ...rest: unknown[]) {
    const event = label(textOf(data), 'out');
    if (event) mark(event);
    return send.call(this, data, ...rest);
  };
  WebSocket.prototype.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
    if (event === 'message') {
      const traced = label(textOf(args[0]), 'in');
      if (traced) mark(traced);
    }
    return emit.call(this, event, ...args);
  };
}
traceWebSocketSends('ws', (text, direction) => {
  if (direction === 'in' || !text.startsWith('{')) return undefined;
  try {
    const message = JSON.parse(text) as {
      method?: string;
      id?: number;
      params?: { type?: string; operation?: string; value?: { type?: string } };
    };
    if (message.method === 'ping' || message.params?.operation === 'ping') return undefined;
    if (message.method) {
      const detail =
        message.params?.type ?? message.params?.operation ?? message.params?.value?.type;
      return `rpc ${message.method}${detail ? ` ${detail}` : ''} #${message.id ?? ''}`;
    }
    return `rpc reply #${message.id ?? ''}`;
  } catch {
    return undefined;
  }
});
const engineIoWs = require.resolve('ws', { paths: [require.resolve('engine.io')] });
traceWebSocketSends(engineIoWs, (text, direction) => {
  const event = /^4[23]\d*(\[".*?")?/.exec(text);
  return event ? `socket.io ${direction} ${event[1] ?? 'ack'}` : undefined;
});

// engine.io packets as the server receives them, by transport (long-polling or WebSocket).
const engineIoSocket = require(join(dirname(require.resolve('engine.io')), 'socket.js')) as {
  Socket: {
    prototype: {
      onPacket: (
        this: { transport?: { name?: string } },
        packet: { type: string; data?: unknown },
      ) => void;
    };
  };
};
const { onPacket } = engineIoSocket.Socket.prototype;
engineIoSocket.Socket.prototype.onPacket = function (packet) {
  if (packet.type === 'message') {
    const event = /^[23]\d*(\[".*?")?/.exec(textOf(packet.data));
    if (event) mark(`engine.io in by ${this.transport?.name ?? '?'} ${event[1] ?? 'ack'}`);
  }
  return onPacket.call(this, packet);
};
