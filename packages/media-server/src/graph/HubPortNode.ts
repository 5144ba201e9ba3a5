import { MediaGraphError } from './errors.js';
import { MediaNode, type MediaNodeOptions } from './MediaNode.js';
import { MEDIA_TYPES, type MediaType, RTP_MEDIA_TYPES } from './MediaType.js';

/**
 * The graph side of Kurento's HubPort: the node through which an element joins a hub. Media an
 * element sends into the port (its sink side) goes to the ports that send it out; what the port
 * sends out (its source side) is the input of one port of the hub, chosen by the hub with
 * {@link sendFrom}. Keyframe requests and receiver bitrate estimates travel back the same way.
 *
 * Switching what a port sends out behaves like relinking: the elements it feeds continue their
 * numbering and resume video at a keyframe of the new input, which is asked for at once.
 */
export class HubPortNode extends MediaNode {
  #input: HubPortNode | undefined;
  /** The ports that send out what enters this one. Copy-on-write keeps routing loops safe. */
  #outputs: readonly HubPortNode[] = [];

  constructor(options: MediaNodeOptions = {}) {
    super({ name: 'HubPort', ...options });
    for (const mediaType of MEDIA_TYPES) {
      const sinkPad = this.sink(mediaType);
      const sourcePad = this.source(mediaType);
      sourcePad.forwardsMedia = true;
      sinkPad.onRtp = (packet) => {
        for (const output of this.#outputs) output.source(mediaType).pushRtp(packet);
      };
      sinkPad.onData = (message) => {
        for (const output of this.#outputs) output.source(mediaType).pushData(message);
      };
      sourcePad.onKeyframeRequest = () => this.#input?.sink(mediaType).requestKeyframe();
      sourcePad.onReceiverBitrate = () => {
        if (this.#input) this.#input.#reportReceiverBitrate(mediaType);
      };
    }
    this.on('released', () => {
      this.sendFrom(undefined);
      for (const output of this.#outputs) output.sendFrom(undefined);
    });
  }

  /** The port whose input this port sends out, if any. */
  get input(): HubPortNode | undefined {
    return this.#input;
  }

  /**
   * From now on, sends out what enters `input` (a port of the same hub, possibly this one), or
   * nothing when undefined.
   * @throws MediaGraphError NODE_RELEASED when either port was released.
   */
  sendFrom(input: HubPortNode | undefined): void {
    if (input === this.#input) return;
    if (input && (input.released || this.released)) {
      throw new MediaGraphError(
        'NODE_RELEASED',
        'A released HubPort cannot be routed: create a new port on the hub.',
      );
    }
    const previous = this.#input;
    this.#input = input;
    if (previous) {
      previous.#outputs = previous.#outputs.filter((output) => output !== this);
      for (const mediaType of MEDIA_TYPES) previous.#reportReceiverBitrate(mediaType);
    }
    if (input) input.#outputs = [...input.#outputs, this];
    for (const mediaType of RTP_MEDIA_TYPES) this.source(mediaType).restartStream();
    if (input) for (const mediaType of MEDIA_TYPES) input.#reportReceiverBitrate(mediaType);
  }

  /** Reports upstream the lowest estimate among the receivers of every port this one feeds. */
  #reportReceiverBitrate(mediaType: MediaType): void {
    let lowest: number | undefined;
    for (const output of this.#outputs) {
      const bitrate = output.source(mediaType).receiverBitrate();
      if (bitrate !== undefined && (lowest === undefined || bitrate < lowest)) lowest = bitrate;
    }
    this.sink(mediaType).reportReceiverBitrate(lowest);
  }
}
