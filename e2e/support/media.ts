import { expect, type Page } from '@playwright/test';

/**
 * Waits until a <video> element really plays: frames presented (decoded and shown) and its clock
 * advancing. This sees what a person sees, whatever code runs the page.
 */
export async function expectVideoPlaying(page: Page, videoSelector: string): Promise<void> {
  await expect
    .poll(() => presentedFrames(page, videoSelector), {
      message: `${videoSelector} presents frames`,
      timeout: 20_000,
    })
    .toBeGreaterThan(10);
  const before = await videoTime(page, videoSelector);
  await expect
    .poll(() => videoTime(page, videoSelector), {
      message: `${videoSelector} currentTime advancing`,
      timeout: 10_000,
    })
    .toBeGreaterThan(before + 0.5);
}

/** Runs in the page and returns the RTCPeerConnection to inspect, or undefined while there is none. */
export type PeerConnectionGetter = () => RTCPeerConnection | null | undefined;

/** Frames decoded by the inbound-rtp video streams of the page's RTCPeerConnection. */
export async function framesDecoded(
  page: Page,
  getPeerConnection: PeerConnectionGetter,
): Promise<number> {
  const peerConnection = await page.evaluateHandle(getPeerConnection);
  try {
    return await peerConnection.evaluate(async (connection) => {
      if (!connection) return 0;
      let frames = 0;
      for (const stat of (await connection.getStats()).values()) {
        if (stat.type === 'inbound-rtp' && stat.kind === 'video') frames += stat.framesDecoded ?? 0;
      }
      return frames;
    });
  } finally {
    await peerConnection.dispose();
  }
}

export async function expectFramesDecoded(
  page: Page,
  getPeerConnection: PeerConnectionGetter,
  atLeast = 10,
): Promise<number> {
  let frames = 0;
  await expect
    .poll(
      async () => {
        frames = await framesDecoded(page, getPeerConnection);
        return frames;
      },
      { message: 'inbound-rtp video framesDecoded', timeout: 20_000 },
    )
    .toBeGreaterThanOrEqual(atLeast);
  return frames;
}

export async function videoTime(page: Page, selector: string): Promise<number> {
  return page.$eval(selector, (video) => (video as HTMLVideoElement).currentTime);
}

async function presentedFrames(page: Page, selector: string): Promise<number> {
  return page.$eval(
    selector,
    (video) => (video as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames,
  );
}
