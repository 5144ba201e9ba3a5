import { lookup } from 'node:dns/promises';
import type { MediaCodec, MediaPacket } from '../graph/index.js';
import type { Logger } from '../logger.js';
import type { ProcessingPlane } from '../processing/ProcessingPlane.js';
import type { ProcessingStage } from '../processing/ProcessingStage.js';
import type { HttpHostPolicy } from './HttpHostPolicy.js';
import { ReconnectBackoff } from './ReconnectBackoff.js';

const VIDEO_STREAM = 'video';
const PAYLOAD_TYPE = 102;
/** A camera silent this long (EOS, a dead TCP connection) is treated as dropped. */
const SILENCE_TIMEOUT_MS = 4000;
const NAL_SPS = 7;
const NAL_STAP_A = 24;

/** What an {@link RtspPlayback} tells its player. */
export interface RtspPlaybackHandlers {
  /** Each RTP packet of the camera's H.264, with a codec that names its real profile. */
  readonly onPacket: (packet: MediaPacket) => void;
  /** The camera could not be reached or read before it ever sent media: playback stopped. */
  readonly onError: (message: string) => void;
}

/** The provisional codec of the stage's output until the stream's SPS names the profile. */
const PROVISIONAL_CODEC: MediaCodec = {
  mimeType: 'video/H264',
  payloadType: PAYLOAD_TYPE,
  clockRate: 90000,
  parameters: 'packetization-mode=1;profile-level-id=42e01f',
};

/** The SPS NAL unit in an H.264 RTP payload (single NAL or STAP-A), if it has one. */
function spsOf(payload: Buffer): Buffer | undefined {
  const type = (payload[0] ?? 0) & 0x1f;
  if (type === NAL_SPS) return payload;
  if (type !== NAL_STAP_A) return undefined;
  for (let offset = 1; offset + 2 < payload.length; ) {
    const size = payload.readUInt16BE(offset);
    const nal = payload.subarray(offset + 2, offset + 2 + size);
    if (((nal[0] ?? 0) & 0x1f) === NAL_SPS) return nal;
    offset += 2 + size;
  }
  return undefined;
}

/** GStreamer's gst-launch quoting of a property value. */
function quoted(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * Pulls an IP camera's H.264 video over RTSP through a GStreamer stage of the processing plane
 * (`rtspsrc ! rtph264depay ! h264parse ! rtph264pay`): the camera's encoding is passed through
 * repacketized, never re-encoded; sinks that need another codec get the graph's transcoding.
 * When the camera drops after it sent media, the stage is started again with back-off
 * ({@link ReconnectBackoff}); a camera that never answers is an error.
 */
export class RtspPlayback {
  readonly #url: URL;
  readonly #plane: ProcessingPlane;
  readonly #hosts: HttpHostPolicy;
  readonly #logger: Logger;
  readonly #handlers: RtspPlaybackHandlers;
  readonly #backoff = new ReconnectBackoff();
  #stage: ProcessingStage | undefined;
  #codec: MediaCodec | undefined;
  #everReceived = false;
  #lastPacketAtMs = 0;
  #watchdog: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #running = false;

  constructor(
    url: URL,
    services: { plane: ProcessingPlane; hosts: HttpHostPolicy; logger: Logger },
    handlers: RtspPlaybackHandlers,
  ) {
    this.#url = url;
    this.#plane = services.plane;
    this.#hosts = services.hosts;
    this.#logger = services.logger;
    this.#handlers = handlers;
  }

  /** The camera's codec once its SPS arrived. */
  get codec(): MediaCodec | undefined {
    return this.#codec;
  }

  /** Connects (once); a second call while running does nothing. */
  async play(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#connect();
  }

  /** Disconnects from the camera and stops retrying. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#retry);
    clearInterval(this.#watchdog);
    this.#retry = undefined;
    this.#watchdog = undefined;
    const stage = this.#stage;
    this.#stage = undefined;
    if (stage) await this.#plane.closeStage(stage);
  }

  async #connect(): Promise<void> {
    if (!this.#running) return;
    try {
      await this.#checkHost();
      const stage = await this.#plane.launchStage(`RTSP source ${this.#url.host}`);
      if (!this.#running) {
        await this.#plane.closeStage(stage);
        return;
      }
      this.#stage = stage;
      stage.onPacket = (_stream, packet) => this.#receive(packet);
      stage.on('failed', (error) => {
        if (this.#stage === stage) this.#dropped(error.message);
      });
      await stage.start(this.#description(), [{ name: VIDEO_STREAM, output: PROVISIONAL_CODEC }]);
      this.#lastPacketAtMs = performance.now();
      clearInterval(this.#watchdog);
      this.#watchdog = setInterval(() => this.#checkSilence(), 1000);
      this.#watchdog.unref();
    } catch (error) {
      this.#dropped(error instanceof Error ? error.message : String(error));
    }
  }

  async #checkHost(): Promise<void> {
    const hostname = this.#url.hostname.replace(/^\[|\]$/g, '');
    for (const { address } of await lookup(hostname, { all: true })) {
      this.#hosts.checkAddress(hostname, address);
    }
  }

  #description(): string {
    return (
      `rtspsrc location=${quoted(this.#url.href)} latency=200 protocols=tcp+udp ! ` +
      'rtph264depay ! h264parse config-interval=-1 ! ' +
      `rtph264pay pt=${PAYLOAD_TYPE} mtu=1200 config-interval=-1 aggregate-mode=zero-latency ! ` +
      `udpsink name=${VIDEO_STREAM}_out sync=false async=false`
    );
  }

  #receive(packet: MediaPacket): void {
    this.#lastPacketAtMs = performance.now();
    const sps = spsOf(packet.payload);
    if (sps && sps.length >= 4 && !this.#codec) {
      this.#codec = {
        ...PROVISIONAL_CODEC,
        parameters: `packetization-mode=1;profile-level-id=${sps.subarray(1, 4).toString('hex')}`,
      };
    }
    // A decoder needs the SPS first: what comes before it is of no use to anyone.
    if (!this.#codec) return;
    if (!this.#everReceived) this.#logger.info('RTSP camera streaming', { host: this.#url.host });
    this.#everReceived = true;
    this.#backoff.reset();
    packet.codec = this.#codec;
    this.#handlers.onPacket(packet);
  }

  #checkSilence(): void {
    if (performance.now() - this.#lastPacketAtMs > SILENCE_TIMEOUT_MS) {
      this.#dropped('the camera sent nothing for 4 s');
    }
  }

  #dropped(reason: string): void {
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
    const stage = this.#stage;
    this.#stage = undefined;
    if (stage) void this.#plane.closeStage(stage);
    if (!this.#running) return;
    if (!this.#everReceived) {
      this.#running = false;
      this.#handlers.onError(reason);
      return;
    }
    const delay = this.#backoff.nextDelayMs();
    this.#logger.warn('RTSP camera dropped; reconnecting', { host: this.#url.host, reason, delay });
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => void this.#connect(), delay);
    this.#retry.unref();
  }
}
