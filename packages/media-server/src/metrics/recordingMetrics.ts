import type { Registry } from 'prom-client';
import { recordingBytesWrittenUnder } from '../recording/RecordingBytesWritten.js';
import { runningTotalCounter } from './runningTotalCounter.js';

/** Bytes the recordings of this server's media root have written. */
export function registerRecordingMetrics(registry: Registry, mediaRoot: string): void {
  const written = recordingBytesWrittenUnder(mediaRoot);
  runningTotalCounter({
    registry,
    name: 'medley_recording_bytes_written_total',
    help: "Bytes recordings wrote to files in the server's media root (shared with any other server of this process that uses the same root).",
    labelNames: [],
    totals: () => [{ labels: {}, value: written.bytes }],
  });
}
