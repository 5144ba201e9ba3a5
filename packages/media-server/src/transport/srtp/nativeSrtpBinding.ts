import type { Socket } from 'node:dgram';
import { createRequire } from 'node:module';

/** An opaque sender made by the addon: one outgoing RTP stream's cipher context and address. */
export interface NativeSrtpSenderHandle {
  readonly __nativeSrtpSender: unique symbol;
}

/**
 * The functions of the native SRTP addon (`native/src/srtp_sender.c`): AEAD_AES_128_GCM with one
 * cipher context per stream, and the datagram written with sendmsg(2) to the ICE socket. The
 * sender keeps its own duplicate of the socket's descriptor until `close` (or garbage collection).
 */
export interface NativeSrtpBinding {
  createSender(sessionKey: Buffer, sessionSalt: Buffer, ssrc: number): NativeSrtpSenderHandle;
  setDestination(
    sender: NativeSrtpSenderHandle,
    fd: number,
    address: string,
    port: number,
    ipv6Socket: boolean,
  ): void;
  /** A descriptor of the same socket that stays valid when the original closes. */
  duplicateDescriptor(fd: number): number;
  /** Closes a descriptor made by `duplicateDescriptor`. */
  closeDescriptor(fd: number): void;
  /** Releases the sender's duplicate of the socket; sending afterwards throws. */
  close(sender: NativeSrtpSenderHandle): void;
  /**
   * Encrypts a packet into the thread's batch (flushed when full, by `flush`, or before a
   * sender's socket is let go): bytes queued. A datagram too large to queue is sent at once
   * (bytes sent, or a negative errno).
   */
  queue(
    sender: NativeSrtpSenderHandle,
    header: Buffer,
    payload: Uint8Array,
    rolloverCounter: number,
    sequenceNumber: number,
  ): number;
  /** Sends the batch, one sendmmsg(2) per socket; returns how many datagrams the kernel refused. */
  flush(): number;
  /** Bytes sent, or a negative errno when the kernel refused the datagram (dropped). */
  send(
    sender: NativeSrtpSenderHandle,
    header: Buffer,
    payload: Uint8Array,
    rolloverCounter: number,
    sequenceNumber: number,
  ): number;
}

/** Where `npm run build:native -w @medley/media-server` puts the addon (same from src/ and dist/). */
const ADDON_PATH = '../../../native/build/Release/medley_srtp.node';

let loaded: { binding: NativeSrtpBinding } | { error: Error } | undefined;

/** The addon, or why it cannot be used (not built on this machine, not Linux, ...). */
export function loadNativeSrtp(): { binding: NativeSrtpBinding } | { error: Error } {
  if (!loaded) {
    try {
      const binding = createRequire(import.meta.url)(ADDON_PATH) as NativeSrtpBinding;
      loaded = { binding };
    } catch (cause) {
      loaded = {
        error: new Error(
          `the native SRTP sender is not available (${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}); build it with 'npm run build:native -w @medley/media-server' (needs python3, make and a C compiler)`,
          { cause },
        ),
      };
    }
  }
  return loaded;
}

/**
 * The file descriptor of a bound dgram socket, read from Node's internal state (the public
 * `_handle` accessor is deprecated). Undefined when this Node keeps it elsewhere.
 */
export function udpDescriptor(socket: Socket): number | undefined {
  const state = Object.getOwnPropertySymbols(socket).find(
    (symbol) => symbol.description === 'state symbol',
  );
  if (!state) return undefined;
  const handle = (socket as unknown as Record<symbol, { handle?: { fd?: unknown } } | undefined>)[
    state
  ]?.handle;
  const fd = handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}
