import type { MediaClient } from '@medley/media-client';
import { expectLoopbackApp } from './support/loopbackApp.js';
import { connectToDemoMediaServer } from './support/mediaServer.js';
import { test } from './support/test.js';

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
