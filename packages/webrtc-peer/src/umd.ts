// Entry of medley-webrtc-peer.umd.min.js (global `medley`). It also defines the `kurentoUtils`
// global, unless the page already has one, so that a page written for kurento-utils-js keeps
// working when this bundle replaces kurento-utils.js.
import { kurentoUtils } from './index.js';

export * from './index.js';
export * from './whip/index.js';

const page = globalThis as { kurentoUtils?: unknown };
page.kurentoUtils ??= kurentoUtils;
