// The part of kurento-client 7.3.0 (which ships no types) that the compatibility tests use.
declare module 'kurento-client' {
  /** An error answered by the server: kurento-client picks the class by code (40101 → ReferenceError). */
  export interface KurentoClientError extends Error {
    code: number;
    data?: { type?: string };
  }

  export type KurentoEventListener = (event: Record<string, unknown>) => void;

  export interface MediaObject {
    readonly id: string;
    on(event: string, listener: KurentoEventListener): this;
    removeListener(event: string, listener: KurentoEventListener): this;
    release(): Promise<void>;
    getMediaPipeline(): Promise<MediaPipeline>;
    /** kurento-client's generic remote call, used by every generated method. */
    _invoke(
      transaction: undefined,
      operation: string,
      params: Record<string, unknown>,
      callback: (error: KurentoClientError | null, result?: unknown) => void,
    ): unknown;
  }

  export interface MediaElement extends MediaObject {
    connect(sink: MediaElement): Promise<void>;
    isMediaTranscoding(mediaType: string, binName?: string): Promise<boolean>;
  }

  export interface GStreamerFilter extends MediaElement {
    setElementProperty(propertyName: string, propertyValue: string): Promise<void>;
    getCommand(): Promise<string>;
  }

  export interface WebRtcEndpoint extends MediaElement {
    processOffer(offer: string): Promise<string>;
    gatherCandidates(): Promise<void>;
    addIceCandidate(candidate: object): Promise<void>;
  }

  export interface MediaPipeline extends MediaObject {
    create(type: 'WebRtcEndpoint'): Promise<WebRtcEndpoint>;
    create(type: 'GStreamerFilter', params: { command: string; filterType?: string }): Promise<GStreamerFilter>;
    create(type: string, params?: Record<string, unknown>): Promise<MediaElement>;
    /** With a callback, which gets the server's error (the promise then resolves anyway). */
    create(
      type: string,
      params: Record<string, unknown>,
      callback: (error?: Error) => void,
    ): Promise<MediaElement>;
  }

  export interface ServerManager extends MediaObject {
    getInfo(): Promise<{ version: string; modules: Array<{ name: string }>; type: string }>;
    getPipelines(): Promise<MediaPipeline[]>;
    getSessions(): Promise<string[]>;
  }

  export interface KurentoClient {
    create(type: 'MediaPipeline'): Promise<MediaPipeline>;
    create(type: string, params?: Record<string, unknown>): Promise<MediaObject>;
    getMediaobjectById(id: string): Promise<MediaObject>;
    getServerManager(): Promise<ServerManager>;
    close(): void;
  }

  export interface KurentoClientOptions {
    /** Refuse unknown types client-side (default true). */
    strict?: boolean;
    failAfter?: number;
    request_timeout?: number;
  }

  export interface KurentoClientModule {
    /**
     * The callback runs once the strict check (describe + getInfo) passed; awaiting the returned
     * thenable only waits for the socket.
     */
    (
      url: string,
      options: KurentoClientOptions,
      callback: (error: Error | null, client: KurentoClient) => void,
    ): void;
    getComplexType(name: string): (value: object) => object;
    /**
     * Adds a module's classes and complex types (a kurento-module-* package, or its name); the
     * strict start-up check then requires the server to list the module in getInfo.
     */
    register: ((module: object | string) => void) & {
      classes: Record<string, { events: string[] }>;
    };
  }

  const kurentoClient: KurentoClientModule;
  export default kurentoClient;
}

// Kurento's optional module packages (generated JS, no types): what kurentoClient.register takes.
declare module 'kurento-module-chroma' {
  const chroma: object;
  export default chroma;
}
declare module 'kurento-module-pointerdetector' {
  const pointerdetector: object;
  export default pointerdetector;
}
declare module 'kurento-module-crowddetector' {
  const crowddetector: object;
  export default crowddetector;
}
declare module 'kurento-module-platedetector' {
  const platedetector: object;
  export default platedetector;
}
