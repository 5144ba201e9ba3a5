/**
 * The part of the WebSocket API this client uses. Both the browser's `WebSocket` and the `ws`
 * package's class satisfy it, so either can be passed as the `WebSocket` option.
 */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed, as `WebSocket.readyState`. */
  readonly readyState: number;
  /** Sends one text frame (a JSON-RPC message). */
  send(data: string): void;
  /** Closes the socket, with a WebSocket close code and reason. */
  close(code?: number, reason?: string): void;
  /** Listens to the socket opening, or failing. */
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  /** Listens to incoming frames; `data` is the text of a JSON-RPC message. */
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  /** Listens to the socket closing, with the close code and reason. */
  addEventListener(
    type: 'close',
    listener: (event: { code: number; reason: string }) => void,
  ): void;
}

/** A WebSocket class: `new WebSocket(url)`, the browser's or the `ws` package's. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export const WEBSOCKET_OPEN = 1;

/**
 * The browser's global WebSocket when there is one (browsers, Node 22+), else the `ws` package,
 * imported dynamically so that bundles for browsers never pull it in.
 */
export async function resolveWebSocket(): Promise<WebSocketConstructor> {
  const globalWebSocket = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (globalWebSocket) return globalWebSocket;
  // A non-literal specifier keeps bundlers and the type checker from resolving `ws` statically.
  const nodeModule = 'ws';
  try {
    const ws = (await import(nodeModule)) as { WebSocket?: WebSocketConstructor };
    if (ws.WebSocket) return ws.WebSocket;
  } catch {
    // Reported below with the remedy.
  }
  throw new TypeError(
    'No WebSocket implementation: install the "ws" package (Node before 22) or pass the WebSocket option.',
  );
}
