import { type MediaClient, type MediaPipeline, MediaServerError } from '@medley/media-client';
import { expect } from '@playwright/test';

/** The elements of every pipeline on the media server, counted by type. */
export async function elementCounts(client: MediaClient): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const pipeline of await client.serverManager.getPipelines()) {
    counts.MediaPipeline = (counts.MediaPipeline ?? 0) + 1;
    for (const child of await childrenOf(pipeline)) {
      counts[child.type] = (counts[child.type] ?? 0) + 1;
    }
  }
  return counts;
}

/** A pipeline's elements; none when it was released after the listing (releases are async). */
async function childrenOf(pipeline: MediaPipeline): Promise<readonly { type: string }[]> {
  try {
    return await pipeline.getChildren();
  } catch (error) {
    if (error instanceof MediaServerError && error.code === 'MEDIA_OBJECT_NOT_FOUND') return [];
    throw error;
  }
}

/**
 * Waits until the media server holds exactly these pipelines and endpoints (releases are
 * asynchronous). `{}` means a clean server: no pipeline at all.
 */
export async function expectMediaObjects(
  client: MediaClient,
  expected: { pipelines?: number; webRtcEndpoints?: number },
  timeout = 10_000,
): Promise<void> {
  const wanted = {
    pipelines: expected.pipelines ?? 0,
    webRtcEndpoints: expected.webRtcEndpoints ?? 0,
  };
  await expect
    .poll(
      async () => {
        const counts = await elementCounts(client);
        return {
          pipelines: counts.MediaPipeline ?? 0,
          webRtcEndpoints: counts.WebRtcEndpoint ?? 0,
        };
      },
      { message: `media server holds ${JSON.stringify(wanted)}`, timeout },
    )
    .toEqual(wanted);
}
