import { reportUncaught } from './userCallbacks.js';

/** The options of `hark(stream, options)`, with the `hark` package's names and defaults. */
export interface HarkOptions {
  /** dB above which the stream counts as speaking; default -50. */
  threshold?: number;
  /** How often the level is read, in ms; default 50. */
  interval?: number;
  /** The analyser's smoothingTimeConstant; default 0.1. */
  smoothing?: number;
  /** Readings of silence in a row that end speaking; default 10. */
  history?: number;
  /** Also play the stream to the speakers; default false. */
  play?: boolean;
  /** An AudioContext to use instead of a new one (closed by stop() only if hark made it). */
  audioContext?: AudioContext;
}

/** The events of a {@link Harker}, with the arguments their listeners receive. */
export interface HarkEvents {
  /** The stream started speaking (two of the last three readings above the threshold). */
  speaking: [];
  /** The stream went quiet (`history` readings in a row below the threshold), or stop() was called. */
  stopped_speaking: [];
  /** Each reading: the loudest frequency bin and the threshold, both in dB (0 is full scale). */
  volume_change: [volume: number, threshold: number];
  /** The AudioContext's state changed (suspended, running, closed). */
  state_change: [state: AudioContextState];
}

/** A listener of the {@link HarkEvents} event `E`. */
export type HarkListener<E extends keyof HarkEvents> = (...args: HarkEvents[E]) => void;

/**
 * Voice activity of a MediaStream, as the `hark` package that kurento-utils exports: reads the
 * loudest frequency bin of an AnalyserNode every `interval` ms and says `speaking` once two of
 * the last three readings are above the threshold, `stopped_speaking` once `history` readings in a
 * row are below it.
 */
export class Harker {
  /** Whether the stream is speaking now. */
  speaking = false;
  readonly #listeners = new Map<keyof HarkEvents, Set<(...args: never[]) => void>>();
  readonly #context: AudioContext;
  readonly #ownsContext: boolean;
  readonly #analyser: AnalyserNode;
  readonly #source: MediaStreamAudioSourceNode;
  readonly #bins: Float32Array<ArrayBuffer>;
  #threshold: number;
  #interval: number;
  #history: number[];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(stream: MediaStream, options: HarkOptions = {}) {
    this.#threshold = options.threshold ?? -50;
    this.#interval = options.interval ?? 50;
    this.#history = new Array<number>(options.history ?? 10).fill(0);
    this.#ownsContext = options.audioContext === undefined;
    this.#context = options.audioContext ?? new AudioContext();
    this.#analyser = this.#context.createAnalyser();
    this.#analyser.fftSize = 512;
    this.#analyser.smoothingTimeConstant = options.smoothing ?? 0.1;
    this.#bins = new Float32Array(this.#analyser.frequencyBinCount);
    this.#source = this.#context.createMediaStreamSource(stream);
    this.#source.connect(this.#analyser);
    if (options.play) this.#analyser.connect(this.#context.destination);
    this.#context.addEventListener('statechange', () =>
      this.#emit('state_change', this.#context.state),
    );
    this.#schedule();
  }

  /** The state of the AudioContext it analyses in. */
  get state(): AudioContextState {
    return this.#context.state;
  }

  /** Adds a listener; a listener that throws does not stop the others. */
  on<E extends keyof HarkEvents>(event: E, listener: HarkListener<E>): this {
    let listeners = this.#listeners.get(event);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(event, listeners);
    }
    listeners.add(listener as (...args: never[]) => void);
    return this;
  }

  /** Removes a listener. */
  off<E extends keyof HarkEvents>(event: E, listener: HarkListener<E>): this {
    this.#listeners.get(event)?.delete(listener as (...args: never[]) => void);
    return this;
  }

  /** Sets the level, in dB, above which the stream counts as speaking. */
  setThreshold(threshold: number): void {
    this.#threshold = threshold;
  }

  /** Sets how often the level is read, in ms, from the next reading on. */
  setInterval(interval: number): void {
    this.#interval = interval;
  }

  /** Suspends the AudioContext (readings stop changing until resume()). */
  suspend(): Promise<void> {
    return this.#context.suspend();
  }

  /** Resumes a suspended AudioContext. */
  resume(): Promise<void> {
    return this.#context.resume();
  }

  /** Stops listening; says stopped_speaking if it was speaking. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (this.speaking) {
      this.speaking = false;
      this.#emit('stopped_speaking');
    }
    this.#source.disconnect();
    this.#analyser.disconnect();
    if (this.#ownsContext) void this.#context.close();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      if (this.#stopped) return;
      this.#read();
      this.#schedule();
    }, this.#interval);
  }

  #read(): void {
    this.#analyser.getFloatFrequencyData(this.#bins);
    let volume = Number.NEGATIVE_INFINITY;
    for (const level of this.#bins) if (level > volume && level < 0) volume = level;
    this.#emit('volume_change', volume, this.#threshold);
    const loud = volume > this.#threshold;
    this.#history.shift();
    this.#history.push(loud ? 1 : 0);
    const recentLoud = this.#history.slice(-3).reduce((sum, value) => sum + value, 0);
    const anyLoud = this.#history.some((value) => value === 1);
    if (!this.speaking && recentLoud >= 2) {
      this.speaking = true;
      this.#emit('speaking');
    } else if (this.speaking && !anyLoud) {
      this.speaking = false;
      this.#emit('stopped_speaking');
    }
  }

  #emit<E extends keyof HarkEvents>(event: E, ...args: HarkEvents[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        (listener as (...values: HarkEvents[E]) => void)(...args);
      } catch (error) {
        reportUncaught(error);
      }
    }
  }
}

/** `kurentoUtils.WebRtcPeer.hark(stream, options)`. */
export function hark(stream: MediaStream, options?: HarkOptions): Harker {
  return new Harker(stream, options);
}
