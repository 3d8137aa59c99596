// What a benchmark ran on, printed beside its figures: cores, CPU model, memory, Node, kernel, and
// the load average (other work on the machine shows up as noise in every figure).
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';

export interface MachineFacts {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly kernel: string;
}

export function machineFacts(): MachineFacts {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
  };
}

/** e.g. "load average 1.02 0.85 0.60 (1, 5, 15 min), 20 GiB free" */
export function loadSummary(): string {
  const [one, five, fifteen] = loadavg().map((value) => value.toFixed(2));
  return `load average ${one} ${five} ${fifteen} (1, 5, 15 min), ${Math.round(freemem() / 2 ** 30)} GiB free`;
}

export function describeMachine(): string {
  const m = machineFacts();
  return `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, Linux ${m.kernel}`;
}
