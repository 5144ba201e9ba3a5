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
  /** By request type: `{ request: <payload sent>; response: <payload answered> }`. */
  requests: object;
  /** By event name: the payload the server pushes. */
  events: object;
}

/** The protocol of a client or server used without a contract: anything goes, nothing is known. */
export interface UntypedProtocol {
  /** Any request type, with payloads of any shape. */
  requests: Record<
    string,
    {
      /** What the client sends. */
      request: unknown;
      /** What the server answers. */
      response: unknown;
    }
  >;
  /** Any event name, with payloads of any shape. */
  events: Record<string, unknown>;
}

/** The request types of a protocol (its string keys of `requests`). */
export type RequestType<P extends Protocol> = Extract<keyof P['requests'], string>;

/** What the client sends with a request of type `K`. */
export type RequestPayload<
  P extends Protocol,
  K extends RequestType<P>,
> = P['requests'][K] extends {
  /** The payload the client sends. */
  request: infer Payload;
}
  ? Payload
  : never;

/** What the server answers to a request of type `K`. */
export type ResponsePayload<
  P extends Protocol,
  K extends RequestType<P>,
> = P['requests'][K] extends {
  /** The payload the server answers. */
  response: infer Payload;
}
  ? Payload
  : never;

/** The event names of a protocol (its string keys of `events`). */
export type EventName<P extends Protocol> = Extract<keyof P['events'], string>;

/** What the server pushes with the event `K`. */
export type EventPayload<P extends Protocol, K extends EventName<P>> = P['events'][K];
