import type { SignalingClient } from '@medley/signaling';
import type { Ref } from 'vue';
import type { SignalingStatus } from '../../public/demo-page.js';

/** Keeps `status` following `client`'s connection (reconnection attempts, why it ended). */
export function watchSignaling(
  client: SignalingClient,
  status: Ref<SignalingStatus | undefined>,
): void {
  status.value = { state: client.state };
  client.connection.on('connected', () => {
    status.value = { state: 'connected' };
  });
  client.connection.on('reconnecting', ({ attempt }) => {
    status.value = { state: 'reconnecting', attempt };
  });
  client.connection.on('disconnected', ({ reason }) => {
    if (reason !== 'closed') status.value = { state: 'disconnected', reason };
  });
}
