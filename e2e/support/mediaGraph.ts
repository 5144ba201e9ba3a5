import { type MediaClient, type MediaPipeline, MediaServerError } from '@medley/media-client';
import { expect } from '@playwright/test';

/** Hubs hold their HubPorts as children (a pipeline holds the hub, not its ports). */
const HUB_TYPES = new Set(['Composite', 'Dispatcher', 'DispatcherOneToMany']);

/** The elements of every pipeline on the media server (hubs' ports included), counted by type. */
export async function elementCounts(client: MediaClient): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const count = (type: string) => {
    counts[type] = (counts[type] ?? 0) + 1;
  };
  for (const pipeline of await client.serverManager.getPipelines()) {
    count('MediaPipeline');
    for (const child of await childrenOf(pipeline)) {
      count(child.type);
      if (HUB_TYPES.has(child.type)) for (const port of await childrenOf(child)) count(port.type);
    }
  }
  return counts;
}

/** An object's children; none when it was released after the listing (releases are async). */
async function childrenOf(
  parent: Pick<MediaPipeline, 'getChildren'>,
): Promise<readonly (Pick<MediaPipeline, 'getChildren'> & { type: string })[]> {
  try {
    return await parent.getChildren();
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
