export { SDP_FRAGMENT_TYPE } from './sdpFragment.js';
export { WhipHttpError } from './WhipHttpError.js';
export {
  DEFAULT_WHIP_CONNECT_TIMEOUT_MS,
  type WhipAction,
  type WhipIceServer,
  type WhipOptions,
  type WhipSettings,
  type WhipTokenRequest,
  type WhipTokenVerifier,
} from './WhipOptions.js';
export { WhipRouter } from './WhipRouter.js';
export { WHIP_ROLE_TAG, WHIP_STREAM_TAG } from './WhipSessionRegistry.js';
export type { WhipStatus, WhipStreamInfo } from './WhipStatus.js';
