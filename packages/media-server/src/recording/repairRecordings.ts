import { extname } from 'node:path';
import { repairWebmRecording } from './webm/WebmRepair.js';

/**
 * `medley-media-server repair FILE...`: finishes each recording, says what it did on stdout,
 * and returns the exit status (1 when any file could not be repaired).
 */
export async function repairRecordings(
  files: readonly string[],
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<number> {
  let status = 0;
  for (const file of files) {
    if (extname(file).toLowerCase() === '.mp4') {
      write(`${file}: nothing to do: a fragmented MP4 recording plays and seeks as it is`);
      continue;
    }
    try {
      const result = await repairWebmRecording(file);
      if (result.kind === 'complete') write(`${file}: already complete, left unchanged`);
      else {
        const cut =
          result.truncatedBytes > 0
            ? `, ${result.truncatedBytes} bytes of a cut cluster dropped`
            : '';
        write(
          `${file}: repaired: ${(result.durationMs / 1000).toFixed(3)} s, ${result.clusters} clusters, ${result.cues} cues${cut}`,
        );
      }
    } catch (error) {
      status = 1;
      const code = (error as NodeJS.ErrnoException).code;
      write(`${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
  }
  return status;
}
