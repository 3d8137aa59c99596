// The two load generators, each run as its own process:
// - autocannon (closed loop): N connections, each sends its next request when the previous answer
//   arrives; measures throughput.
// - vegeta (open loop): requests leave at a fixed rate whatever the answer time, so a slow answer
//   cannot hold back the next request and hide its own delay (coordinated omission); measures
//   latency. (autocannon's own rate option sends bursts per connection and inflates the tail.)
import { execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../tests/harness/paths.ts';

const run = promisify(execFile);

export interface Throughput {
  readonly requestsPerSecond: number;
  readonly total: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Answers other than 2xx plus connection errors and timeouts: must be 0. */
  readonly failures: number;
  /** Answers by HTTP status, e.g. { '200': 91000 }. */
  readonly statusCodes: Record<string, number>;
}

interface AutocannonJson {
  statusCodeStats: Record<string, { count: number }>;
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

export async function closedLoop(
  url: string,
  bodyFile: string,
  options: { connections: number; durationSeconds: number },
): Promise<Throughput> {
  // Under this Node (the machine's own node may be too old for the rest of the tooling).
  const { stdout } = await run(
    process.execPath,
    [
      join(repoRoot, 'node_modules', 'autocannon', 'autocannon.js'),
      '--json',
      '--no-progress',
      '-c',
      String(options.connections),
      '-d',
      String(options.durationSeconds),
      '-m',
      'POST',
      '-H',
      'content-type=application/json',
      '-i',
      bodyFile,
      url,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const result = JSON.parse(stdout) as AutocannonJson;
  return {
    requestsPerSecond: result.requests.total / options.durationSeconds,
    total: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
  };
}

export interface Latency {
  readonly requests: number;
  /** Answers per second actually achieved (vegeta's throughput). */
  readonly achievedRate: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly failures: number;
}

interface VegetaReport {
  requests: number;
  throughput: number;
  success: number;
  latencies: { '50th': number; '90th': number; '99th': number; max: number };
}

const NS_PER_MS = 1e6;

/** Fixed-rate load; `vegeta` is the binary from bench/tools/vegeta.sh. */
export async function openLoop(
  vegeta: string,
  url: string,
  bodyFile: string,
  workDir: string,
  options: { rate: number; durationSeconds: number; caFile: string },
): Promise<Latency> {
  const targets = join(workDir, 'vegeta-targets.txt');
  const results = join(workDir, 'vegeta-results.bin');
  await writeFile(targets, `POST ${url}\nContent-Type: application/json\n@${bodyFile}\n`);
  await new Promise<void>((resolve, reject) => {
    const attack = spawn(
      vegeta,
      [
        'attack',
        `-targets=${targets}`,
        `-rate=${options.rate}/1s`,
        `-duration=${options.durationSeconds}s`,
        `-root-certs=${options.caFile}`,
        '-max-body=0',
        '-timeout=10s',
        `-output=${results}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    attack.once('error', reject);
    attack.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`vegeta attack exited with code ${code}`)),
    );
  });
  const { stdout } = await run(vegeta, ['report', '-type=json', results], { maxBuffer: 16 * 1024 * 1024 });
  const report = JSON.parse(stdout) as VegetaReport;
  return {
    requests: report.requests,
    achievedRate: report.throughput,
    p50Ms: report.latencies['50th'] / NS_PER_MS,
    p90Ms: report.latencies['90th'] / NS_PER_MS,
    p99Ms: report.latencies['99th'] / NS_PER_MS,
    maxMs: report.latencies.max / NS_PER_MS,
    failures: Math.round(report.requests * (1 - report.success)),
  };
}

/** bench/tools/vegeta.sh: builds vegeta once into the cache, prints its path. */
export async function buildVegeta(): Promise<string> {
  const { stdout } = await run('bash', [join(repoRoot, 'bench', 'tools', 'vegeta.sh')], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const path = stdout.trim().split('\n').at(-1);
  if (!path) throw new Error('bench/tools/vegeta.sh printed no path');
  return path;
}
