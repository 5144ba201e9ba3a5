/**
 * The part of the WebSocket API this client uses. Both the browser's `WebSocket` and the `ws`
 * package's class satisfy it, so either can be passed as the `WebSocket` option.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(
    type: 'close',
    listener: (event: { code: number; reason: string }) => void,
  ): void;
}

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
