import { connect, type MediaClient } from '@medley/media-client';
import { type APIRequestContext, expect } from '@playwright/test';

/** Connects to the media server the demo app server uses (it reports it on /healthz). */
export async function connectToDemoMediaServer(request: APIRequestContext): Promise<MediaClient> {
  const health = await request.get('/healthz');
  const { mediaServerUrl } = (await health.json()) as { mediaServerUrl: string };
  return connect(mediaServerUrl);
}

export async function pipelineCount(client: MediaClient): Promise<number> {
  return (await client.serverManager.getPipelines()).length;
}

/** Waits for the media server to hold `count` pipelines (releases are asynchronous). */
export async function expectPipelineCount(
  client: MediaClient,
  count: number,
  timeout = 10_000,
): Promise<void> {
  await expect
    .poll(() => pipelineCount(client), {
      message: `${count} pipelines on the media server`,
      timeout,
    })
    .toBe(count);
}
