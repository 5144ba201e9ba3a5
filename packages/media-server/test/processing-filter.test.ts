import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { browserSuite } from './support/browserSuite.js';
import { waitForPicture } from './support/pictureColours.js';
import { eventually } from './support/server.js';
import { stageProcesses, stageStartedBy } from './support/stageProcesses.js';
import { BrowserPeer } from './transport-harness.js';

/**
 * GStreamerFilter through the Kurento Protocol, with a real Chromium sending a picture whose
 * left half is red and right half blue: the filter's effect is read off the decoded frames.
 */

describe('GStreamerFilter', () => {
  const suite = browserSuite();

  /** Page → WebRtcEndpoint → filter → the same endpoint → page; released when the test ends. */
  async function loopbackThroughFilter(context: TestContext, id: string, command: string) {
    const pipeline = await suite.client.create('MediaPipeline');
    context.after(() => suite.client.call('release', { object: pipeline }).catch(() => undefined));
    const endpoint = await suite.client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    let filter = '';
    const stage = await stageStartedBy(async () => {
      filter = await suite.client.create('GStreamerFilter', { mediaPipeline: pipeline, command });
    });
    await suite.client.invoke(endpoint, 'connect', { sink: filter });
    await suite.client.invoke(filter, 'connect', { sink: endpoint });
    const peer = await BrowserPeer.create(suite.page, id, { source: 'synthetic' });
    context.after(() => peer.close());
    await peer.connectToEndpoint(suite.client, endpoint);
    return { pipeline, endpoint, filter, peer, stage };
  }

  test('flips the picture horizontally, and takes a new property value while media flows', async (context) => {
    const { pipeline, filter, peer, stage } = await loopbackThroughFilter(
      context,
      'flip',
      'videoflip method=horizontal-flip',
    );
    // The page sends red|blue: the filter's output must come back mirrored.
    await waitForPicture(peer, 'blue|red');
    await suite.client.invoke(filter, 'setElementProperty', {
      propertyName: 'method',
      propertyValue: 'none',
    });
    await waitForPicture(peer, 'red|blue');
    assert.equal(
      await suite.client.invoke(filter, 'getElementProperty', { propertyName: 'method' }),
      'none',
    );
    assert.equal(
      await suite.client.invoke(filter, 'getCommand'),
      'videoflip method=horizontal-flip',
    );
    const badValue = await suite.client.failure('invoke', {
      object: filter,
      operation: 'setElementProperty',
      operationParams: { propertyName: 'method', propertyValue: 'sideways' },
    });
    assert.equal(badValue.code, 40107);
    const unknown = await suite.client.failure('invoke', {
      object: filter,
      operation: 'getElementProperty',
      operationParams: { propertyName: 'no-such-property' },
    });
    assert.equal(unknown.code, 40107);
    const stats = await peer.stats();
    assert.ok(stats.audioPacketsReceived > 0, 'audio passes through a VIDEO filter');
    await suite.client.call('release', { object: pipeline });
    await eventually(
      async () =>
        (await stageProcesses()).some((found) => found.pid === stage.pid) ? undefined : true,
      'the GStreamer process is gone with the pipeline',
    );
  });

  test('a GStreamer process killed with SIGKILL is an Error event, is reaped, and the audio goes on', async (context) => {
    const { filter, peer, stage } = await loopbackThroughFilter(
      context,
      'kill',
      'videobalance saturation=0.0',
    );
    await suite.client.call('subscribe', { object: filter, type: 'Error' });
    await peer.waitForStats((stats) => stats.framesDecoded > 10);
    const from = suite.client.received.length;
    process.kill(stage.pid, 'SIGKILL');
    const error = await suite.client.waitForEvent('Error', filter, from);
    assert.equal(error.params.value.data.type, 'PROCESSING_FAILED');
    assert.match(String(error.params.value.data.description), /killed by SIGKILL/);
    await eventually(
      async () =>
        (await stageProcesses()).some((found) => found.pid === stage.pid) ? undefined : true,
      'the killed process is reaped (no zombie left)',
    );
    const before = (await peer.stats()).audioPacketsReceived;
    await peer.waitForStats((stats) => stats.audioPacketsReceived > before + 25);
    assert.equal(
      await suite.client.invoke(filter, 'isMediaFlowingIn', { mediaType: 'VIDEO' }),
      true,
      'the filter still takes the video in (its process is gone, the server is not)',
    );
  });

  test('refuses commands that name elements outside the allow-list, or that GStreamer cannot parse', async () => {
    const runningBefore = (await stageProcesses()).length;
    const pipeline = await suite.client.create('MediaPipeline');
    const refused: [string, RegExp][] = [
      ['filesrc location=/etc/passwd', /'filesrc'/],
      ['videoflip ! filesink location=/tmp/medley-filter-escape', /'filesink'/],
      ['file:///etc/passwd', /'filesrc'/],
      ['udpsink host=127.0.0.1 port=9', /'udpsink'/],
      ['tcpclientsrc host=127.0.0.1 port=9', /'tcpclientsrc'/],
      ['souphttpsrc location=http://127.0.0.1:1/', /'souphttpsrc'/],
      ['appsink', /'appsink'/],
      ['multifilesink location=/tmp/x%d', /'multifilesink'/],
      ['identity dump=true', /'identity'/],
      ['videoflip name=medley_media_out', /medley_/],
      ['videoflip method=', /not a GStreamer pipeline fragment/],
      ['no-such-element', /not a GStreamer pipeline fragment/],
      ['videoflip ! ! (', /not a GStreamer pipeline fragment/],
      ['', /empty/],
      ['videoflip\u0000method=none', /control characters/],
    ];
    for (const [command, message] of refused) {
      const error = await suite.client.failure('create', {
        type: 'GStreamerFilter',
        constructorParams: { mediaPipeline: pipeline, command },
      });
      assert.equal(error.code, 40107, `${JSON.stringify(command)}: ${error.message}`);
      assert.match(error.message, message, `${JSON.stringify(command)}: ${error.message}`);
    }
    const wrongType = await suite.client.failure('create', {
      type: 'GStreamerFilter',
      constructorParams: { mediaPipeline: pipeline, command: 'videoflip', filterType: 'SOUND' },
    });
    assert.equal(wrongType.code, 40107);
    assert.equal(
      (await stageProcesses()).length,
      runningBefore,
      'a refused command leaves no process behind',
    );
    const filter = await suite.client.create('GStreamerFilter', {
      mediaPipeline: pipeline,
      command: 'audioecho delay=50000000',
    });
    const notStarted = await suite.client.failure('invoke', {
      object: filter,
      operation: 'setElementProperty',
      operationParams: { propertyName: 'delay', propertyValue: '1' },
    });
    assert.equal(notStarted.code, 40108, 'no pipeline before media arrives');
    await suite.client.call('release', { object: pipeline });
    assert.equal((await stageProcesses()).length, runningBefore);
  });
});
