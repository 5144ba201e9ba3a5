import { createHash, randomUUID } from 'node:crypto';
import { InvalidParamError, KurentoError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MediaObject } from '../objects/MediaObject.js';
import type { ObjectRegistry } from '../objects/ObjectRegistry.js';
import type { ServerContext } from '../objects/ServerContext.js';
import { ServerManager } from '../objects/ServerManager.js';
import { parseFields } from '../objects/valueTypes.js';
import { toWireValue } from '../objects/wireValues.js';
import type { AdmissionControl } from '../server/AdmissionControl.js';
import {
  errorResponse,
  type JsonRpcRequest,
  type JsonRpcResponse,
  resultResponse,
  toKurentoError,
} from './jsonRpc.js';
import type { NotificationSink, Session } from './Session.js';
import type { SessionManager } from './SessionManager.js';
import { parseOperations, resolveReferences } from './transaction.js';

type Params = Readonly<Record<string, unknown>>;
type Result = Record<string, unknown>;

/** Nested transactions are legal (kurento-client can produce them) but need no real depth. */
const MAX_TRANSACTION_DEPTH = 4;

/** One request being served: which connection it came on and which session it acts for. */
class Call {
  private resolved: Session | undefined;

  constructor(
    private readonly sessions: SessionManager,
    readonly sink: NotificationSink,
    /** The request's `sessionId`, or the one the connection last used (KMS injects it too). */
    readonly sessionId: string | undefined,
    readonly transactionDepth: number,
  ) {}

  /** The session to act for, created on first use; binds it to this connection. */
  session(): Session {
    if (!this.resolved) {
      this.resolved = this.sessions.obtain(this.sessionId);
      this.sessions.bind(this.resolved, this.sink);
    }
    return this.resolved;
  }

  /** Adopts a session chosen by the method itself (connect). */
  use(session: Session): Session {
    this.resolved = session;
    this.sessions.bind(session, this.sink);
    return session;
  }

  /** The id every answer carries: the acting session's, else the one the request named. */
  get answerSessionId(): string | undefined {
    return this.resolved?.id ?? this.sessionId;
  }
}

type MethodHandler = (params: Params, call: Call) => Result | Promise<Result>;

function readString(params: Params, name: string): string {
  const value = params[name];
  if (typeof value !== 'string') {
    const problem = value === undefined ? 'is required' : 'must be a string';
    throw new KurentoError('INVALID_PARAMS', `Invalid params: '${name}' ${problem}`);
  }
  return value;
}

function readRecord(params: Params, name: string): Params {
  const value = params[name] ?? {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidParamError(`'${name}' must be an object of named parameters`);
  }
  return value as Params;
}

/**
 * kurento-client (up to 7.3 at least) replaces an invoke's whole `operationParams` with its `id`
 * field when it has one (its serializeParams takes any value with an `id` for a media object),
 * so `removeImage('logo')` arrives as `operationParams: "logo"`. A method whose only parameter
 * is `id` is read back from that; for others the rest of the parameters is lost, and the error
 * says so.
 */
function readOperationParams(params: Params, operation: string, names: readonly string[]): Params {
  const value = params.operationParams;
  if (typeof value !== 'string') return readRecord(params, 'operationParams');
  if (names.length === 1 && names[0] === 'id') return { id: value };
  throw new InvalidParamError(
    names.includes('id')
      ? `'operationParams' of ${operation} arrived as the string '${value.slice(0, 100)}': kurento-client replaces the parameters of a method that has an 'id' parameter with that id, so the others never reach the server; send them as an object (e.g. with @medley/media-client)`
      : `'operationParams' must be an object of named parameters`,
  );
}

/** A digest, so that the cache keeps 64 bytes per answer instead of each request (SDP offers). */
function requestFingerprint(request: JsonRpcRequest): string {
  const { sessionId: _ignored, ...params } = request.params;
  return createHash('sha256')
    .update(JSON.stringify([request.method, params]))
    .digest('hex');
}

export interface KurentoProtocolOptions {
  readonly registry: ObjectRegistry;
  readonly sessions: SessionManager;
  readonly context: ServerContext;
  readonly logger: Logger;
  /** Refuses new endpoints while the server is near saturation; none admits everything. */
  readonly admission?: AdmissionControl;
}

/**
 * The methods of the Kurento Protocol (KMS `ServerMethods.cpp`): session bookkeeping, the
 * response cache for retried requests, transactions, and dispatch of `create` and `invoke` to
 * the type tables of the objects.
 */
export class KurentoProtocol {
  /** Changes on every start, so that clients can tell a restarted server (`connect` answer). */
  readonly serverId = randomUUID();
  private readonly registry: ObjectRegistry;
  private readonly sessions: SessionManager;
  private readonly context: ServerContext;
  private readonly logger: Logger;
  private readonly admission: AdmissionControl | undefined;
  private readonly methods: ReadonlyMap<string, MethodHandler>;

  constructor(options: KurentoProtocolOptions) {
    this.registry = options.registry;
    this.sessions = options.sessions;
    this.context = options.context;
    this.logger = options.logger;
    this.admission = options.admission;
    this.methods = new Map<string, MethodHandler>([
      ['ping', (_params, _call) => ({ value: 'pong' })],
      ['connect', (params, call) => this.connect(params, call)],
      ['create', (params, call) => this.create(params, call)],
      ['invoke', (params, call) => this.invoke(params, call)],
      ['describe', (params, call) => this.describe(params, call)],
      ['subscribe', (params, call) => this.subscribe(params, call)],
      ['unsubscribe', (params, call) => this.unsubscribe(params, call)],
      ['release', (params, call) => this.release(params, call)],
      ['transaction', (params, call) => this.transaction(params, call)],
      ['keepAlive', (_params, call) => this.keepAlive(call)],
      ['ref', (params, call) => this.ref(params, call)],
      ['unref', (params, call) => this.unref(params, call)],
      ['closeSession', (params, call) => this.closeSession(params, call)],
    ]);
  }

  /** Answers one request; resolves to undefined for notifications. Never rejects. */
  async handle(
    request: JsonRpcRequest,
    sink: NotificationSink,
  ): Promise<JsonRpcResponse | undefined> {
    const response = await this.respond(request, sink, 0, undefined);
    return request.id === undefined ? undefined : response;
  }

  private async respond(
    request: JsonRpcRequest,
    sink: NotificationSink,
    transactionDepth: number,
    transactionSession: Session | undefined,
  ): Promise<JsonRpcResponse> {
    const id = request.id ?? null;
    const requestedSessionId = request.params.sessionId;
    if (requestedSessionId !== undefined && typeof requestedSessionId !== 'string') {
      return errorResponse(
        id,
        new KurentoError('INVALID_PARAMS', "Invalid params: 'sessionId' must be a string"),
      );
    }
    const sessionId =
      transactionSession?.id ?? requestedSessionId ?? this.sessions.sessionOf(sink)?.id;
    const call = new Call(this.sessions, sink, sessionId, transactionDepth);
    // Only whole requests of a known session can be retried (not notifications, not the
    // operations inside a transaction).
    const isRetriable = !transactionSession && request.id !== undefined && sessionId !== undefined;
    const session = isRetriable ? this.sessions.find(sessionId) : undefined;
    if (!session) return this.run(request, call);

    const fingerprint = requestFingerprint(request);
    const cached = session.responses.lookup(id, fingerprint);
    if (cached) {
      this.sessions.bind(session, sink);
      this.logger.debug('answering a retried request from the cache', { sessionId, id });
      return cached;
    }
    const response = this.run(request, call);
    session.responses.store(id, fingerprint, response);
    return response;
  }

  private async run(request: JsonRpcRequest, call: Call): Promise<JsonRpcResponse> {
    const id = request.id ?? null;
    const handler = this.methods.get(request.method);
    if (!handler) {
      return errorResponse(
        id,
        new KurentoError(
          'METHOD_NOT_FOUND',
          `Method '${request.method}' not found; the Kurento Protocol has: ${[...this.methods.keys()].join(', ')}`,
        ),
      );
    }
    try {
      const result = await handler(request.params, call);
      const sessionId = call.answerSessionId;
      return resultResponse(id, sessionId === undefined ? result : { ...result, sessionId });
    } catch (thrown) {
      const error = toKurentoError(thrown);
      if (error.type === 'UNEXPECTED_ERROR') {
        this.logger.error('request failed unexpectedly', { method: request.method, error: thrown });
      } else {
        this.logger.debug('request failed', { method: request.method, code: error.code });
      }
      return errorResponse(id, error);
    }
  }

  private connect(params: Params, call: Call): Result {
    const requested = params.sessionId === undefined ? undefined : call.sessionId;
    const session = requested ? this.sessions.resume(requested) : call.session();
    call.use(session);
    return { serverId: this.serverId };
  }

  private async create(params: Params, call: Call): Promise<Result> {
    const type = this.registry.getType(readString(params, 'type'));
    const constructorParams = readRecord(params, 'constructorParams');
    const session = call.session();
    // Endpoints bring media load and filters processing load; pipelines and hubs only route it.
    if (type.isA('Endpoint') || type.isA('Filter')) this.admission?.admit(type.name);
    const object = await type.instantiate(constructorParams, this.registry, this.context);
    this.registry.add(object);
    this.sessions.hold(session, object);
    this.logger.debug('created', { object: object.id, sessionId: session.id });
    return { value: object.id };
  }

  private async invoke(params: Params, call: Call): Promise<Result> {
    const object = this.objectFor(params, call);
    const operationName = readString(params, 'operation');
    const operation = object.type.findOperation(operationName);
    if (!operation) {
      throw new KurentoError(
        'MEDIA_OBJECT_METHOD_NOT_FOUND',
        `${object.type.name} has no method '${operationName}'`,
      );
    }
    let operationParams: Record<string, unknown>;
    try {
      operationParams = parseFields(
        operation.params,
        readOperationParams(params, operationName, Object.keys(operation.params)),
        '',
        this.registry,
      );
    } catch (error) {
      if (!(error instanceof KurentoError)) throw error;
      throw new KurentoError(error.type, `${object.type.name}.${operationName}: ${error.message}`);
    }
    const value = await object.runExclusive(() => {
      if (object.released)
        throw new KurentoError('MEDIA_OBJECT_NOT_FOUND', `Object '${object.id}' was released`);
      return operation.invoke(object, operationParams);
    });
    return value === undefined ? {} : { value: toWireValue(value) };
  }

  private describe(params: Params, call: Call): Result {
    const object = this.objectFor(params, call);
    return {
      type: object.type.name,
      qualifiedType: object.type.qualifiedName,
      hierarchy: object.type.hierarchy,
    };
  }

  private subscribe(params: Params, call: Call): Result {
    const eventName = readString(params, 'type');
    const object = this.objectFor(params, call);
    return { value: call.session().subscribe(object, eventName) };
  }

  private unsubscribe(params: Params, call: Call): Result {
    call.session().unsubscribe(readString(params, 'subscription'));
    return {};
  }

  private async release(params: Params, call: Call): Promise<Result> {
    const object = this.registry.getObject(readString(params, 'object'));
    if (object instanceof ServerManager) {
      throw new KurentoError(
        'MEDIA_OBJECT_OPERATION_NOT_SUPPORTED',
        'The ServerManager cannot be released',
      );
    }
    call.session();
    await object.release();
    return {};
  }

  private async transaction(params: Params, call: Call): Promise<Result> {
    if (call.transactionDepth >= MAX_TRANSACTION_DEPTH) {
      throw new KurentoError('MALFORMED_TRANSACTION', 'Transactions nest too deeply');
    }
    const operations = parseOperations(params.operations);
    const session = call.session();
    const responses: JsonRpcResponse[] = [];
    for (const operation of operations) {
      const request: JsonRpcRequest = {
        ...operation,
        params: {
          ...(resolveReferences(operation.params, responses) as Params),
          sessionId: session.id,
        },
      };
      const response = await this.respond(request, call.sink, call.transactionDepth + 1, session);
      responses.push(response);
      // KMS stops at the first failure; the client reports "not executed" for the rest.
      if ('error' in response) break;
    }
    return { value: responses };
  }

  private keepAlive(call: Call): Result {
    if (call.sessionId === undefined) {
      throw new KurentoError('INVALID_PARAMS', "Invalid params: 'sessionId' is required");
    }
    call.use(this.sessions.resume(call.sessionId));
    return {};
  }

  private ref(params: Params, call: Call): Result {
    this.objectFor(params, call);
    return {};
  }

  private async unref(params: Params, call: Call): Promise<Result> {
    const object = this.registry.getObject(readString(params, 'object'));
    await this.sessions.letGo(call.session(), object);
    return {};
  }

  private async closeSession(params: Params, call: Call): Promise<Result> {
    const session = call.session();
    if (params.release === true) {
      await Promise.all([...session.objects].map((object) => object.release()));
    }
    await this.sessions.end(session);
    return {};
  }

  /** The object a request names; using an object by id makes the session hold it, as in KMS. */
  private objectFor(params: Params, call: Call): MediaObject {
    const object = this.registry.getObject(readString(params, 'object'));
    this.sessions.hold(call.session(), object);
    return object;
  }
}
