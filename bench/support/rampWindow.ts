import { setTimeout as sleep } from 'node:timers/promises';
import { watchMachineLoad } from './machineLoad.js';
import { cpuMilliseconds } from './processStats.js';
import { stageProcessIds } from './stageProcesses.js';

/** What one window of a capacity ramp measured: the viewers' frame rates and the CPU behind them. */
export interface RampWindow {
  /** Frames per second at the median and at the slowest viewer. */
  readonly medianFps: number;
  readonly minFps: number;
  /** Shares of one core over the window: the server's Node process, and its GStreamer stages. */
  readonly serverNodeCpu: number;
  readonly stagesCpu: number;
  /** Stage processes alive at the end of the window. */
  readonly stages: number;
  /** Busy share of all cores, every process on the machine included. */
  readonly machineBusyPercent: number;
}

/**
 * Waits `warmUpMs` (set-ups settle), then measures a `windowMs` window: the frames each viewer
 * counted, the CPU of the server process `serverPid` and of its stage processes, and the machine.
 */
export async function measureRampWindow(
  viewers: readonly { readonly frames: number }[],
  serverPid: number,
  warmUpMs: number,
  windowMs: number,
): Promise<RampWindow> {
  await sleep(warmUpMs);
  const framesBefore = viewers.map((viewer) => viewer.frames);
  const nodeBefore = cpuMilliseconds(serverPid);
  const stagesBefore = stagesCpuMilliseconds(serverPid);
  const machineBusy = watchMachineLoad();
  const startedAt = performance.now();
  await sleep(windowMs);
  const seconds = (performance.now() - startedAt) / 1000;
  const stagesAfter = stagesCpuMilliseconds(serverPid);
  const fps = viewers
    .map((viewer, index) => (viewer.frames - (framesBefore[index] ?? 0)) / seconds)
    .sort((a, b) => a - b);
  let stagesCpu = 0;
  for (const [pid, after] of stagesAfter) stagesCpu += after - (stagesBefore.get(pid) ?? after);
  return {
    medianFps: fps[Math.floor(fps.length / 2)] ?? 0,
    minFps: fps[0] ?? 0,
    serverNodeCpu: (cpuMilliseconds(serverPid) - nodeBefore) / 1000 / seconds,
    stagesCpu: stagesCpu / 1000 / seconds,
    stages: stagesAfter.size,
    machineBusyPercent: machineBusy(),
  };
}

/** CPU so far of each stage process of `serverPid`, in ms. */
function stagesCpuMilliseconds(serverPid: number): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const pid of stageProcessIds(serverPid)) {
    try {
      cpu.set(pid, cpuMilliseconds(pid));
    } catch {
      // the stage ended while it was read
    }
  }
  return cpu;
}
