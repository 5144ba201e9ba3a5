import type { MediaClient } from '@medley/media-client';

/**
 * Where a broadcast's viewers go once the presenter's media server has as many as it takes:
 * the broadcast continues on another server (see BroadcastEdge).
 */
export interface ViewerPlacement {
  /** Viewers one media server takes for this broadcast before it continues on another. */
  readonly viewersPerServer: number;
  /** The least loaded media server other than `except`; throws when there is none. */
  pickOther(except: readonly MediaClient[]): MediaClient;
  /** `client`'s server refused a new endpoint (NOT_ENOUGH_RESOURCES): pass it over a while. */
  reportRefusal(client: MediaClient): void;
}

/** One media server, no cap: every viewer goes where the presenter is. */
export const singleServerPlacement: ViewerPlacement = {
  viewersPerServer: Number.POSITIVE_INFINITY,
  pickOther: () => {
    throw new Error('no other media server');
  },
  reportRefusal: () => undefined,
};
