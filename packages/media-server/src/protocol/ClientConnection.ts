import type { RawData, WebSocket } from 'ws';
import { KurentoError } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  errorResponse,
  type JsonRpcNotification,
  type JsonRpcResponse,
  parseFrame,
} from './jsonRpc.js';
import type { KurentoProtocol } from './KurentoProtocol.js';
import type { NotificationSink } from './Session.js';
import type { SessionManager } from './SessionManager.js';

export interface ClientConnectionOptions {
  readonly protocol: KurentoProtocol;
  readonly sessions: SessionManager;
  readonly maxMessageBytes: number;
  readonly logger: Logger;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function frameBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * One client WebSocket: turns frames into requests and answers back, and carries the events of
 * the session bound to it. Whatever a client sends, it gets an error answer, never a crash.
 */
export class ClientConnection implements NotificationSink {
  /** Cleared when a WebSocket ping goes out, set by the pong: a silent peer is cut off. */
  alive = true;
  private readonly socket: WebSocket;
  private readonly options: ClientConnectionOptions;
  private readonly logger: Logger;

  constructor(socket: WebSocket, options: ClientConnectionOptions) {
    this.socket = socket;
    this.options = options;
    this.logger = options.logger;
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('pong', () => {
      this.alive = true;
    });
    socket.on('error', (error) => this.logger.warn('websocket error', { error }));
    socket.on('close', (code) => {
      this.logger.info('client disconnected', { code });
      options.sessions.connectionClosed(this);
    });
  }

  notify(notification: JsonRpcNotification): void {
    this.send(notification);
  }

  /** WebSocket-level keep-alive; returns false (and drops the socket) if the last ping got no pong. */
  heartbeat(): boolean {
    if (!this.alive) {
      this.socket.terminate();
      return false;
    }
    this.alive = false;
    this.socket.ping();
    return true;
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  private receive(data: RawData, isBinary: boolean): void {
    const bytes = frameBytes(data);
    if (bytes.length > this.options.maxMessageBytes) {
      this.reject(
        'MESSAGE_TOO_LARGE',
        `Message of ${bytes.length} bytes exceeds the server limit of ${this.options.maxMessageBytes} bytes (raise it with --max-message-size or MEDLEY_MAX_MESSAGE_SIZE)`,
      );
      return;
    }
    // kurento-client writes through websocket-stream, which sends binary frames: like KMS, read
    // them as UTF-8 JSON. Only bytes that are not UTF-8 at all are refused.
    const text = isBinary ? decodeUtf8(bytes) : bytes.toString('utf8');
    if (text === undefined) {
      this.reject('PARSE_ERROR', 'Parse error: a binary frame must hold UTF-8 JSON');
      return;
    }
    const frame = parseFrame(text);
    if (frame.kind === 'invalid') {
      this.send(frame.response);
      return;
    }
    if (frame.kind === 'ignored') return;
    const { request } = frame;
    this.logger.debug('request', { method: request.method, id: request.id });
    this.options.protocol.handle(request, this).then(
      (response) => {
        if (response) this.send(response);
      },
      (error: unknown) => this.logger.error('request handler failed', { error }),
    );
  }

  private reject(type: 'MESSAGE_TOO_LARGE' | 'PARSE_ERROR', message: string): void {
    this.send(errorResponse(null, new KurentoError(type, message)));
  }

  private send(message: JsonRpcResponse | JsonRpcNotification): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (error) {
      this.logger.error('cannot serialize a message', { error });
      return;
    }
    this.socket.send(text, (error) => {
      if (error) this.logger.debug('send failed', { error });
    });
  }
}
