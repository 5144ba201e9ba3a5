import type { RTCDataChannel } from 'werift';
import type { DataMessage, MediaNode, MediaSinkPad, MediaSourcePad } from '../graph/index.js';
import { guarded } from '../graph/listenerFailure.js';
import type { DataChannelEvent } from './types.js';

export interface DataChannelListener {
  opened(event: DataChannelEvent): void;
  closed(event: DataChannelEvent): void;
}

/**
 * Joins the peer's data channels to the node's DATA pads: messages from any channel leave
 * through the source pad; messages arriving at the sink pad go out on the channel with the same
 * label, or on the first open channel (so a loopback echoes on the channel it came from).
 */
export class DataChannelBinding {
  readonly #channels: RTCDataChannel[] = [];
  readonly #source: MediaSourcePad;
  readonly #sink: MediaSinkPad;
  readonly #listener: DataChannelListener;

  constructor(node: MediaNode, listener: DataChannelListener) {
    this.#source = node.source('DATA');
    this.#sink = node.sink('DATA');
    this.#listener = listener;
    this.#sink.onData = (message) => this.#send(message);
  }

  get channels(): readonly RTCDataChannel[] {
    return this.#channels;
  }

  add(channel: RTCDataChannel): void {
    this.#channels.push(channel);
    channel.onMessage.subscribe(
      guarded('data channel message', (data) =>
        this.#source.pushData({ label: channel.label, data }),
      ),
    );
    channel.stateChanged.subscribe(
      guarded('data channel state listener', (state) => {
        if (state === 'open') this.#listener.opened(describe(channel));
        if (state === 'closed') this.#forget(channel);
      }),
    );
    if (channel.readyState === 'open') this.#listener.opened(describe(channel));
  }

  /** Closes the channel with this id, if there is one. */
  close(channelId: number): void {
    this.#channels.find((channel) => channel.id === channelId)?.close();
  }

  dispose(): void {
    this.#sink.onData = undefined;
    for (const channel of this.#channels.splice(0)) channel.close();
  }

  #forget(channel: RTCDataChannel): void {
    const index = this.#channels.indexOf(channel);
    if (index < 0) return;
    this.#channels.splice(index, 1);
    this.#listener.closed(describe(channel));
  }

  #send(message: DataMessage): void {
    const open = this.#channels.filter((channel) => channel.readyState === 'open');
    const target = open.find((channel) => channel.label === message.label) ?? open[0];
    try {
      target?.send(message.data);
    } catch {
      // The channel closed between the check and the send: the message is dropped, like on a
      // closed channel in a browser.
    }
  }
}

function describe(channel: RTCDataChannel): DataChannelEvent {
  return { channelId: channel.id, label: channel.label };
}
