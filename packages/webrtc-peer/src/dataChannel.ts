import { WebRtcPeerError } from './errors.js';

/** What `RTCDataChannel.send()` accepts. */
export type DataChannelPayload = string | Blob | ArrayBuffer | ArrayBufferView<ArrayBuffer>;

/** `send()` waits once more than this many bytes are buffered (Chromium's own send queue is 16 MiB). */
export const defaultBufferedAmountLowThreshold = 256 * 1024;

/**
 * Sends `data` and resolves once the channel's buffer drained to its `bufferedAmountLowThreshold`,
 * so that a loop of `await send()` never overfills the buffer (which closes the channel).
 */
export function sendWithBackpressure(
  channel: RTCDataChannel,
  data: DataChannelPayload,
): Promise<void> {
  if (channel.readyState !== 'open') {
    return Promise.reject(
      new WebRtcPeerError(
        'INVALID_STATE',
        `Data channel "${channel.label}" is ${channel.readyState}: wait for the "datachannelopen" event before sending.`,
      ),
    );
  }
  try {
    (channel as { send(payload: DataChannelPayload): void }).send(data);
  } catch (cause) {
    return Promise.reject(
      new WebRtcPeerError(
        'DATA_CHANNEL_FAILED',
        `Data channel "${channel.label}" refused the message (${String(cause)}): await each send() before the next one.`,
        { cause },
      ),
    );
  }
  if (channel.bufferedAmount <= channel.bufferedAmountLowThreshold) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (event: Event) => {
      channel.removeEventListener('bufferedamountlow', settle);
      channel.removeEventListener('close', settle);
      if (event.type === 'close') {
        reject(
          new WebRtcPeerError(
            'DATA_CHANNEL_FAILED',
            `Data channel "${channel.label}" closed before its buffered data was sent.`,
          ),
        );
      } else resolve();
    };
    channel.addEventListener('bufferedamountlow', settle);
    channel.addEventListener('close', settle);
  });
}
