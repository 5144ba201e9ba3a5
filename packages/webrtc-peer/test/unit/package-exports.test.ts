// Checks the built package the way consumers load it; needs `npm run build` first.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('package exports', () => {
  it('resolve for import and for require to the same API', async () => {
    const imported = await import('@medley/webrtc-peer');
    const required = createRequire(import.meta.url)('@medley/webrtc-peer') as typeof imported;
    assert.equal(typeof imported.WebRtcPeer, 'function');
    assert.deepEqual(Object.keys(required).sort(), Object.keys(imported).sort());
  });

  it('serve the WHIP/WHEP clients at @medley/webrtc-peer/whip, for import and for require', async () => {
    const imported = await import('@medley/webrtc-peer/whip');
    const required = createRequire(import.meta.url)('@medley/webrtc-peer/whip') as typeof imported;
    assert.deepEqual(Object.keys(imported).sort(), [
      'WhipError',
      'WhipSession',
      'playWhep',
      'publishWhip',
    ]);
    assert.deepEqual(Object.keys(required).sort(), Object.keys(imported).sort());
  });

  it('type-check for ES module and CommonJS consumers', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    // Throws with tsc's diagnostics on stdout when a consumer does not type-check.
    execFileSync(process.execPath, [tsc, '-p', join(packageRoot, 'test/package-consumer')], {
      encoding: 'utf8',
    });
  });
});
