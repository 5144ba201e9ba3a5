import { type ChildProcess, spawn } from 'node:child_process';

/**
 * A pipeline description as gst-launch-1.0 takes it: one argument per word (it escapes the
 * spaces of a single argument), with the quotes of caps removed (they hold no spaces here).
 */
export function gstLaunchArguments(description: string): string[] {
  return (description.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []).map((word) => word.replaceAll('"', ''));
}

/** Runs `description` in its own gst-launch-1.0 process (quiet, output ignored). */
export function startGstLaunch(description: string): ChildProcess {
  return spawn('gst-launch-1.0', ['-q', ...gstLaunchArguments(description)], { stdio: 'ignore' });
}
