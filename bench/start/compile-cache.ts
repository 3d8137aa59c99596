// What Node's compile cache in the images buys at start: each component's image files (replayed from
// its Dockerfile by scripts/assemble-runtime.ts, the cache made in the build stage as the image makes
// it) started as the Deployment starts them (its NODE_OPTIONS, the image's environment), with the
// image's compile cache and without it, alternating. With no cluster to reach (KUBECONFIG names no
// file) main.ts stops right after loading every module, so the time from spawn to exit is Node's boot
// plus loading the component: what a Pod pays before its first request to the apiserver.
//   node bench/start/compile-cache.ts [--runs 9]
// Only measures; asserts nothing.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { assembleRuntime, COMPONENTS, type AssembledRuntime, type Component } from '../../scripts/assemble-runtime.ts';
import { deploymentNodeOptions } from '../lib/deployment-node-options.ts';
import { describeMachine, loadSummary } from '../lib/machine.ts';
import { median } from '../lib/percentiles.ts';
import { markdownTable, ms, ratio } from '../lib/table.ts';

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '9' } } });
const runs = Number(flags.runs);
const CACHE_VARIABLES = ['NODE_COMPILE_CACHE', 'NODE_COMPILE_CACHE_PORTABLE'];

/** A component's image files and the Node options its Deployment starts it with (read once). */
interface Image {
  readonly component: Component;
  readonly runtime: AssembledRuntime;
  readonly nodeOptions: string;
}

/** Milliseconds from spawn to exit of the image's entrypoint, with or without its compile cache. */
function startMs({ component, runtime, nodeOptions }: Image, withCache: boolean): number {
  const imageEnv = Object.fromEntries(
    Object.entries(runtime.env).filter(([name]) => withCache || !CACHE_VARIABLES.includes(name)),
  );
  const started = performance.now();
  const child = spawnSync(process.execPath, runtime.entrypoint.slice(1), {
    cwd: runtime.workdir,
    env: {
      ...imageEnv,
      PATH: process.env.PATH,
      HOME: '/nonexistent',
      LOG_LEVEL: 'silent',
      KUBECONFIG: 'missing-kubeconfig',
      NODE_OPTIONS: nodeOptions,
    },
    encoding: 'utf8',
  });
  const elapsed = performance.now() - started;
  if (!child.stderr.includes('missing-kubeconfig'))
    throw new Error(`${component} did not stop where expected: ${child.stderr.slice(-500)}`);
  return elapsed;
}

const scratch = await mkdtemp(join(tmpdir(), 'lbg-bench-compile-cache-'));
try {
  const images: Image[] = [];
  for (const component of COMPONENTS)
    images.push({
      component,
      runtime: await assembleRuntime(component, join(scratch, component)),
      nodeOptions: deploymentNodeOptions(component),
    });
  console.log(`# start-up with the images' compile cache: ${describeMachine()}`);
  console.log(`# ${loadSummary()} at start; ${runs} starts each, alternating with and without the cache`);
  const samples = new Map<string, number[]>();
  for (let run = 0; run < runs; run++)
    for (const image of images)
      for (const withCache of run % 2 === 0 ? [true, false] : [false, true]) {
        const key = `${image.component} ${withCache ? 'with' : 'without'}`;
        samples.set(key, [...(samples.get(key) ?? []), startMs(image, withCache)]);
      }
  console.log(`# ${loadSummary()} at the end`);
  const rows = images.map(({ component }) => {
    const withCache = samples.get(`${component} with`) ?? [];
    const without = samples.get(`${component} without`) ?? [];
    const range = (values: number[]) => `${ms(Math.min(...values))}-${ms(Math.max(...values))}`;
    return [
      component,
      `${ms(median(without))} (${range(without)})`,
      `${ms(median(withCache))} (${range(withCache)})`,
      ratio(median(withCache), median(without)),
    ];
  });
  console.log(
    markdownTable(
      ['component', 'start ms without the cache, median (range)', 'with the cache', 'with / without'],
      rows,
    ),
  );
} finally {
  await rm(scratch, { recursive: true, force: true });
}
