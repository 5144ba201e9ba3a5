import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { SentRequest } from './helpers.js';

export interface ScriptedExchange {
  request: SentRequest;
  /** 0 for the first socket a client opened, 1 after its first reconnection, ... */
  socketIndex: number;
  socket: WebSocket;
  answer(result: Record<string, unknown>): void;
}

/**
 * A raw JSON-RPC WebSocket server whose every answer the test decides: for the transport failures
 * a real server does not produce on demand (a lost answer, a socket cut mid-request, silence).
 */
export async function startScriptedServer(onRequest: (exchange: ScriptedExchange) => void) {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const received: Array<{ request: SentRequest; socketIndex: number }> = [];
  const sockets: WebSocket[] = [];
  server.on('connection', (socket) => {
    const socketIndex = sockets.push(socket) - 1;
    socket.on('message', (data) => {
      const request = JSON.parse(String(data)) as SentRequest;
      received.push({ request, socketIndex });
      onRequest({
        request,
        socketIndex,
        socket,
        answer: (result) => socket.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, result })),
      });
    });
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/kurento`,
    received,
    socketCount: () => sockets.length,
    /** The sockets still open. */
    sockets: () => sockets.filter((socket) => socket.readyState === socket.OPEN),
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

/** Answers the session handshake the way a Kurento server does. */
export function answerHandshake(
  exchange: ScriptedExchange,
  sessionId = 'scripted-session',
): boolean {
  const { request, answer } = exchange;
  if (request.method === 'connect') {
    answer({
      sessionId: (request.params?.sessionId as string | undefined) ?? sessionId,
      serverId: 'x',
    });
    return true;
  }
  if (request.method === 'ping') {
    answer({ value: 'pong', sessionId });
    return true;
  }
  return false;
}
