import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export interface TappedFrame {
  from: 'client' | 'server';
  message: {
    id?: number | string | null;
    method?: string;
    params?: Record<string, unknown>;
    result?: Record<string, unknown>;
    error?: { code: number; message: string; data?: unknown };
  };
}

/**
 * A WebSocket relay between kurento-client and the media server that records every frame both
 * ways, so a test can check exactly what kurento-client sends and what it is answered.
 */
export async function startWireTap(targetUrl: string) {
  const frames: TappedFrame[] = [];
  const relay = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => relay.once('listening', () => resolve()));
  relay.on('connection', (clientSocket) => {
    const upstream = new WebSocket(targetUrl);
    const waiting: string[] = [];
    const record = (from: TappedFrame['from'], text: string) =>
      frames.push({ from, message: JSON.parse(text) as TappedFrame['message'] });
    upstream.on('open', () => {
      for (const text of waiting.splice(0)) upstream.send(text);
    });
    clientSocket.on('message', (data) => {
      const text = String(data);
      record('client', text);
      if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
      else waiting.push(text);
    });
    upstream.on('message', (data) => {
      const text = String(data);
      record('server', text);
      clientSocket.send(text);
    });
    clientSocket.on('close', () => upstream.close());
    upstream.on('close', () => clientSocket.close());
    upstream.on('error', () => clientSocket.terminate());
  });
  return {
    url: `ws://127.0.0.1:${(relay.address() as AddressInfo).port}/kurento`,
    frames,
    /** The requests kurento-client sent, in order. */
    requests: () => frames.filter((frame) => frame.from === 'client').map((frame) => frame.message),
    /** The server's answer to a request id. */
    answerTo: (id: unknown) =>
      frames.find((frame) => frame.from === 'server' && frame.message.id === id)?.message,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of relay.clients) socket.terminate();
        relay.close(() => resolve());
      }),
  };
}
