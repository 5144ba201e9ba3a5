import type { MediaClient } from '@medley/media-client';
import { test } from '@playwright/test';
import { expectLoopbackApp } from './support/loopbackApp.js';
import { connectToDemoMediaServer } from './support/mediaServer.js';

let media: MediaClient;
test.beforeAll(async ({ request }) => {
  media = await connectToDemoMediaServer(request);
});
test.afterAll(() => media.close());

test('the React app, built by Vite from the npm packages, runs the loopback call', async ({
  page,
}) => {
  await expectLoopbackApp(page, media, '/react/');
});
