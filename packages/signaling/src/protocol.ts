/**
 * The contract between a client and a server, as one type shared by both sides:
 *
 * ```ts
 * interface ChatProtocol {
 *   requests: {
 *     join: { request: { room: string }; response: { members: string[] } };
 *   };
 *   events: {
 *     message: { from: string; text: string };
 *   };
 * }
 * const client = await connect<ChatProtocol>(url);
 * const { members } = await client.request('join', { room: 'lobby' });
 * client.on('message', ({ from, text }) => {});
 * ```
 *
 * `requests` go from client to server and are answered; `events` are pushed by the server.
 * Payloads travel as JSON (socket.io also carries binary: `Uint8Array`, `ArrayBuffer`).
 */
export interface Protocol {
  requests: object;
  events: object;
}

/** The protocol of a client or server used without a contract: anything goes, nothing is known. */
export interface UntypedProtocol {
  requests: Record<string, { request: unknown; response: unknown }>;
  events: Record<string, unknown>;
}

export type RequestType<P extends Protocol> = Extract<keyof P['requests'], string>;

export type RequestPayload<
  P extends Protocol,
  K extends RequestType<P>,
> = P['requests'][K] extends {
  request: infer Payload;
}
  ? Payload
  : never;

export type ResponsePayload<
  P extends Protocol,
  K extends RequestType<P>,
> = P['requests'][K] extends {
  response: infer Payload;
}
  ? Payload
  : never;

export type EventName<P extends Protocol> = Extract<keyof P['events'], string>;

export type EventPayload<P extends Protocol, K extends EventName<P>> = P['events'][K];
