import { expect, type Page } from '@playwright/test';

/** What a page receives from one group-call participant, from its RTCPeerConnection's stats. */
export interface ReceivedMedia {
  framesDecoded: number;
  audioPacketsReceived: number;
}

/** The inbound-rtp counters of the page's stream from `participantId`. */
export async function receivedFrom(page: Page, participantId: string): Promise<ReceivedMedia> {
  return page.evaluate(async (id) => {
    const received = { framesDecoded: 0, audioPacketsReceived: 0 };
    const connection = window.groupCall.remotes.get(id)?.peer?.peerConnection;
    if (!connection) return received;
    for (const stat of (await connection.getStats()).values()) {
      if (stat.type !== 'inbound-rtp') continue;
      if (stat.kind === 'video') received.framesDecoded += stat.framesDecoded ?? 0;
      if (stat.kind === 'audio') received.audioPacketsReceived += stat.packetsReceived ?? 0;
    }
    return received;
  }, participantId);
}

/** Waits until the page decodes video and receives audio from `participantId`. */
export async function expectReceiving(page: Page, participantId: string): Promise<void> {
  await expect
    .poll(
      async () => {
        const { framesDecoded, audioPacketsReceived } = await receivedFrom(page, participantId);
        return Math.min(framesDecoded, audioPacketsReceived);
      },
      {
        message: `frames decoded and audio packets received from ${participantId}, the fewer of both`,
        timeout: 20_000,
      },
    )
    .toBeGreaterThanOrEqual(10);
}
