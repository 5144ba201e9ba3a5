import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ExponentialBackoff,
  type Listenable,
  SignalingClient,
  type SignalingClientOptions,
} from '../../src/index.js';
import {
  SignalingServer,
  type SignalingServerHooks,
  type SignalingServerOptions,
  schema,
} from '../../src/server/index.js';

export interface TestProtocol {
  requests: {
    echo: { request: { text: string }; response: { text: string } };
    fail: { request: { message: string }; response: undefined };
    /** Answers once the test releases it (see TestServer.release). */
    hold: { request: { label: string }; response: { label: string } };
    join: { request: { room: string }; response: { members: number } };
    say: { request: { room: string; text: string }; response: undefined };
    remember: { request: { note: string }; response: undefined };
    recall: { request: Record<string, never>; response: { notes: string[] } };
    /** Pushes a notice to another session, wherever it is connected. */
    tell: { request: { to: string; text: string }; response: undefined };
  };
  events: {
    notice: { text: string };
    said: { text: string };
  };
}

export interface TestSessionData {
  notes?: string[];
}

export const testSchemas: SignalingServerOptions<TestProtocol, TestSessionData>['schemas'] = {
  echo: schema.object({ text: schema.string() }),
  fail: schema.object({ message: schema.string() }),
  hold: schema.object({ label: schema.string() }),
  join: schema.object({ room: schema.string() }),
  say: schema.object({ room: schema.string(), text: schema.string() }),
  remember: schema.object({ note: schema.string() }),
  recall: schema.object({}),
  tell: schema.object({ to: schema.string(), text: schema.string() }),
};

export interface TestServer {
  url: string;
  httpServer: HttpServer;
  signaling: SignalingServer<TestProtocol, TestSessionData>;
  /** Requests of type 'hold' received so far, by label. */
  held: Map<string, () => void>;
  /** Connections the engine accepts; set to false to refuse new transports (HTTP 403). */
  acceptTransports: boolean;
  close(): Promise<void>;
}

export interface TestServerOptions extends SignalingServerHooks<TestProtocol, TestSessionData> {
  sessionGracePeriod?: number;
  redis?: SignalingServerOptions<TestProtocol, TestSessionData>['redis'];
}

/** An HTTP server on 127.0.0.1, on a free port. */
export async function startHttpServer(): Promise<{ httpServer: HttpServer; url: string }> {
  const httpServer = createServer();
  httpServer.listen(0, '127.0.0.1');
  await once(httpServer, 'listening');
  const { port } = httpServer.address() as AddressInfo;
  return { httpServer, url: `http://127.0.0.1:${port}` };
}

/** A real socket.io server on 127.0.0.1 with the handlers the tests use. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { httpServer, url } = await startHttpServer();
  const held = new Map<string, () => void>();
  const state = { acceptTransports: true };
  const signaling = new SignalingServer<TestProtocol, TestSessionData>({
    ...options,
    httpServer,
    schemas: testSchemas,
    socketOptions: {
      allowRequest: (_request, callback) => callback(null, state.acceptTransports),
    },
  });
  signaling
    .handle('echo', ({ text }) => ({ text }))
    .handle('fail', ({ message }) => {
      throw new Error(message);
    })
    .handle(
      'hold',
      ({ label }) =>
        new Promise((resolve) => {
          held.set(label, () => resolve({ label }));
        }),
    )
    .handle('join', ({ room }, session) => {
      session.join(room);
      return { members: signaling.roomMembers(room).length };
    })
    .handle('say', ({ room, text }, session) => {
      signaling.broadcast(room, 'said', { text }, { except: session });
    })
    .handle('remember', ({ note }, session) => {
      session.data.notes = [...(session.data.notes ?? []), note];
    })
    .handle('recall', (_payload, session) => ({ notes: session.data.notes ?? [] }))
    .handle('tell', ({ to, text }) => {
      signaling.emitTo(to, 'notice', { text });
    });

  return {
    url,
    httpServer,
    signaling,
    held,
    get acceptTransports() {
      return state.acceptTransports;
    },
    set acceptTransports(value: boolean) {
      state.acceptTransports = value;
    },
    async close() {
      for (const release of held.values()) release();
      await signaling.close();
    },
  };
}

/** Fast retries so that reconnect tests take milliseconds. */
export const fastReconnect = (): ExponentialBackoff =>
  new ExponentialBackoff({ initialDelayMs: 20, maxDelayMs: 100, jitter: 0, maxElapsedMs: 5_000 });

/** A client over a real WebSocket (no HTTP long-polling). */
export function testClient(
  url: string,
  options: SignalingClientOptions = {},
): SignalingClient<TestProtocol> {
  return new SignalingClient<TestProtocol>(url, {
    reconnectPolicy: fastReconnect(),
    requestTimeout: 2_000,
    connectTimeout: 2_000,
    ...options,
    socketOptions: { transports: ['websocket'], ...options.socketOptions },
  });
}

export async function connectedClient(
  url: string,
  options: SignalingClientOptions = {},
): Promise<SignalingClient<TestProtocol>> {
  const client = testClient(url, options);
  await client.connect();
  return client;
}

/** Resolves with the next payload of `event`. */
export function nextEvent<Events extends object, K extends keyof Events>(
  source: Listenable<Events>,
  event: K,
): Promise<Events[K]> {
  return new Promise((resolve) => source.once(event, resolve));
}

/** Resolves with the next event of that name the server pushes to `client`. */
export function nextPush<K extends keyof TestProtocol['events']>(
  client: SignalingClient<TestProtocol>,
  event: K,
): Promise<TestProtocol['events'][K]> {
  return new Promise((resolve) => client.once(event, resolve));
}

/** Polls until `condition` holds (for server-side state that no event announces). */
export async function until(
  condition: () => boolean,
  what: string,
  timeoutMs = 2_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
