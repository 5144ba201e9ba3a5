import { connect, type MediaClient } from '@medley/media-client';
import { type APIRequestContext, expect } from '@playwright/test';
import { embeddedMediaServerToken, embeddedMediaServerUrl } from './embeddedMediaServer.js';

/** Connects to the media server the demo app server embeds, once the app server is up. */
export async function connectToDemoMediaServer(request: APIRequestContext): Promise<MediaClient> {
  expect((await request.get('/healthz')).ok()).toBe(true);
  return connect(`${embeddedMediaServerUrl}?access_token=${embeddedMediaServerToken}`);
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
