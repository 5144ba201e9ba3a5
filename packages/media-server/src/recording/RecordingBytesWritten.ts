/** A running total of the bytes recordings wrote into one media root. */
export interface RecordingBytesWritten {
  bytes: number;
}

const totalsByMediaRoot = new Map<string, RecordingBytesWritten>();

/**
 * The total of the recordings under `mediaRoot` (an absolute path), for metrics. Files add to it
 * once per write that reached the OS: a media server reads the total of its own media root, so
 * two servers of one process (tests) count apart unless they share a root. One entry per root
 * ever used: a process has few.
 */
export function recordingBytesWrittenUnder(mediaRoot: string): RecordingBytesWritten {
  let total = totalsByMediaRoot.get(mediaRoot);
  if (!total) {
    total = { bytes: 0 };
    totalsByMediaRoot.set(mediaRoot, total);
  }
  return total;
}
