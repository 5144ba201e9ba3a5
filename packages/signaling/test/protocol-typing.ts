// Compile-time checks of the protocol typing, run by the root typecheck (tsconfig.test.json):
// each @ts-expect-error fails the typecheck as soon as the line below it stops being an error.
import type { SignalingClient } from '../src/index.js';
import type { Session, SignalingServer } from '../src/server/index.js';
import type { TestProtocol } from './support/server.js';

export function clientTyping(client: SignalingClient<TestProtocol>): void {
  const answer: Promise<{ text: string }> = client.request('echo', { text: 'typed' });
  // @ts-expect-error: not a request type of the protocol
  void client.request('no-such-request', {});
  // @ts-expect-error: the payload of 'echo' needs a string text
  void client.request('echo', { text: 1 });
  client.on('notice', ({ text }) => text.toUpperCase());
  // @ts-expect-error: not an event of the protocol
  client.on('no-such-event', () => {});
  // @ts-expect-error: the listener expects another payload
  client.on('notice', ({ missing }: { missing: number }) => missing);
  client.connection.on('reconnecting', ({ attempt, delayMs }) => attempt + delayMs);
  // @ts-expect-error: not a connection event
  client.connection.on('reconnected', () => {});
  void answer;
}

export function serverTyping(
  server: SignalingServer<TestProtocol>,
  session: Session<TestProtocol>,
): void {
  server.handle('echo', ({ text }) => ({ text: text.toUpperCase() }));
  server.handle('say', () => {}); // a request answered with undefined may return nothing
  // @ts-expect-error: the answer of 'echo' must be { text: string }
  server.handle('echo', () => ({ wrong: true }));
  // @ts-expect-error: not a request type of the protocol
  server.handle('no-such-request', () => {});
  session.emit('notice', { text: 'typed' });
  // @ts-expect-error: the payload of 'notice' needs a text
  session.emit('notice', { body: 'untyped' });
  server.broadcast('room', 'said', { text: 'typed' });
}
