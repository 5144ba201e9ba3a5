import { type ClientOptions, WebSocket } from 'ws';
import { createMediaServer, type MediaServer } from '../../media-server/src/index.js';
import { connect, type MediaClient, type MediaClientOptions } from '../src/index.js';

export async function startMediaServer(port = 0): Promise<MediaServer> {
  return createMediaServer({ port, logLevel: 'silent' });
}

export interface SentRequest {
  id: number;
  method: string;
  params: Record<string, unknown> & { operations?: Array<{ method: string; params: unknown }> };
}

/**
 * The real `ws` WebSocket, recording the requests the client sends and keeping the open sockets
 * so a test can cut them as a network failure would.
 */
export function recordingWebSocket() {
  const sent: SentRequest[] = [];
  const sockets: WebSocket[] = [];
  class RecordingWebSocket extends WebSocket {
    constructor(url: string, options?: ClientOptions) {
      super(url, options);
      sockets.push(this);
    }
    override send(data: string, ...rest: never[]): void {
      sent.push(JSON.parse(data) as SentRequest);
      super.send(data, ...rest);
    }
  }
  return {
    WebSocket: RecordingWebSocket,
    sent,
    requests: (method: string) => sent.filter((request) => request.method === method),
    /** Cuts the current socket without a closing handshake, like a lost network. */
    dropSocket: () => sockets.at(-1)?.terminate(),
    socketCount: () => sockets.length,
  };
}

export async function connectClient(
  server: MediaServer,
  options: MediaClientOptions = {},
): Promise<MediaClient> {
  return connect(server.url, { pingInterval: 0, ...options });
}

/** Resolves with the first value `register` hands to its callback. */
export function nextValue<T>(register: (callback: (value: T) => void) => void): Promise<T> {
  return new Promise((resolve) => register(resolve));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until `condition` holds, polling (after `refresh`, for state fetched asynchronously);
 * fails after `timeoutMs` naming `what`.
 */
export async function until(
  condition: () => boolean,
  what: string,
  timeoutMs = 5000,
  refresh?: () => Promise<void>,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await refresh?.();
    if (condition()) return;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(refresh ? 200 : 5);
  }
}

/** A client whose WebSocket records every frame it sends, for tests that check the wire. */
export async function recordedClient(server: MediaServer) {
  const recorder = recordingWebSocket();
  const client = await connectClient(server, { WebSocket: recorder.WebSocket });
  return { client, recorder };
}
