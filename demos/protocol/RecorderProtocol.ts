// The recorder demo's signaling contract, on the socket.io namespace `/recorder`.
//
// A page records by offering with peerId `record:WEBM` or `record:MP4` (a sendrecv WebRtcPeer:
// it sees itself back while the media server records), and plays a recording back by offering
// with peerId `play:<recording name>` (a recvonly WebRtcPeer fed by a PlayerEndpoint).
import type { PeerSignalingProtocol } from '@medley/signaling';

/** Containers a page may record to: WebM (VP8 + Opus) or MP4 (H.264 + Opus). */
export type RecordingProfile = 'WEBM' | 'MP4';

export interface RecordingInfo {
  /** File name under the media root, e.g. `recording-2026-11-24T01-02-03.webm`. */
  name: string;
  /** Where the page can download it (only when the app server can read the media root). */
  downloadUrl: string;
  sizeBytes: number;
  createdAt: string;
}

/** How far the page's recording is, while it records. */
export interface RecordingProgress {
  name: string;
  /**
   * The file's size on disk now: what the media server has written so far (its writer flushes
   * as media arrives). Absent when the app server cannot read the media root.
   */
  sizeBytes?: number;
}

export interface RecorderProtocol {
  requests: PeerSignalingProtocol['requests'] & {
    /**
     * Ends what the page is doing: a recording is finished on disk (duration and index written)
     * before the answer, which names it; a playback is stopped. Its pipeline is released.
     */
    'recorder.stop': {
      request: Record<string, never>;
      /** `recordedSeconds`: wall time from asking the media server to record to asking it to stop. */
      response: { recording?: RecordingInfo; recordedSeconds?: number };
    };
    /**
     * The page's recording as it grows, for a live size: `progress` is absent until the media
     * server records (the `recorder.recording` event) and when the page is not recording.
     */
    'recorder.progress': {
      request: Record<string, never>;
      response: { progress?: RecordingProgress };
    };
    /** The recordings in the media root, newest first. */
    'recorder.list': { request: Record<string, never>; response: { recordings: RecordingInfo[] } };
  };
  events: PeerSignalingProtocol['events'] & {
    /** The media server started writing: media flows in and the file's clock starts now. */
    'recorder.recording': { name: string };
    /** The played recording reached its end. */
    'recorder.playEnded': { name: string };
    /** Recording or playback failed on the media server, in words. */
    'recorder.failed': { message: string };
  };
}
