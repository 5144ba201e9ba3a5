import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MediaServer } from '../../media-server/src/index.js';
import type { MediaClient } from '../src/index.js';
import { connectClient, startMediaServer } from './helpers.js';

describe('HttpPostEndpoint through the typed client', () => {
  let server: MediaServer;
  let client: MediaClient;

  before(async () => {
    server = await startMediaServer();
    client = await connectClient(server);
  });
  after(async () => {
    client.close();
    await server.close();
  });

  test('creates one with its options, gives its URL, and hears the Error a bad upload raises', async () => {
    const pipeline = await client.create('MediaPipeline');
    const endpoint = await pipeline.create('HttpPostEndpoint', {
      disconnectionTimeout: 5,
      useEncodedMedia: true,
    });
    assert.equal(endpoint.type, 'HttpPostEndpoint');
    const url = await endpoint.getUrl();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/http-endpoint\/[0-9a-f]{32}$/);
    const error = new Promise<string>((resolve) => {
      void endpoint.on('Error', (event) => resolve(event.description));
    });
    const response = await fetch(url, { method: 'POST', body: 'not media' });
    assert.equal(response.status, 415);
    assert.match(await error, /HttpPostEndpoint cannot play the upload/);
    await pipeline.release();
  });
});
