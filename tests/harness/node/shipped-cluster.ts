// A control plane with a node, the images built from the Dockerfiles loaded into it and the
// product installed as shipped: what the node suite (tests/node) and `npm start -- --node` run.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildControlPlaneBinaries, buildNodeBinaries } from '../build-binaries.ts';
import { ControlPlane } from '../control-plane.ts';
import { longhornCrdsPath, repoRoot } from '../paths.ts';
import { TestCluster } from '../test-cluster.ts';
import { buildImages, type BuiltImage } from './images.ts';
import { installShipped } from './install-shipped.ts';
import { Node, nodeAddress } from './node.ts';

const run = promisify(execFile);

/** Why this machine cannot run the node, or undefined when it can. */
export async function nodeUnsupported(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'the node (containerd, kubelet) needs root';
  if (!nodeAddress()) return 'the machine has no non-loopback IPv4 address for the node';
  try {
    await run('bash', [join(repoRoot, 'tests', 'tools', 'node-packages.sh'), '--find']);
  } catch (error) {
    const missing = (error as { stdout?: string }).stdout?.trim() ?? '';
    return `missing ${missing}: run \`bash tests/tools/install.sh\` (Debian's containerd, runc, CNI plugins, iptables, buildah, debootstrap, gcc)`;
  }
  return undefined;
}

export interface ShippedCluster {
  readonly cluster: TestCluster;
  readonly node: Node;
  readonly images: readonly BuiltImage[];
  /** The kustomize overlay applied (`kubectl delete -k` of it uninstalls). */
  readonly overlayDir: string;
  readonly timings: Readonly<Record<string, number>>;
  stop(): Promise<void>;
}

export async function startShippedCluster(log: (message: string) => void): Promise<ShippedCluster> {
  const timings: Record<string, number> = {};
  const timed = async <T>(what: string, step: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await step();
    timings[what] = Date.now() - started;
    log(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };
  const address = nodeAddress();
  const [binDir, nodeBinDir, images] = await timed('builds (cached)', async () => [
    await buildControlPlaneBinaries(),
    await buildNodeBinaries(),
    await buildImages(),
  ]);
  // The node's containerd starts and imports the images while the control plane starts.
  const planeStarting = timed('control plane', () =>
    ControlPlane.start({ binDir, crdsPath: longhornCrdsPath, ...(address ? { nodeAddress: address } : {}) }),
  );
  planeStarting.catch(() => {}); // awaited below; a failure meanwhile is no unhandled rejection
  let node: Node | undefined;
  let plane: ControlPlane | undefined;
  try {
    const started = await timed('node (with the control plane)', () =>
      Node.start({ plane: planeStarting, nodeBinDir, images }),
    );
    node = started;
    const up = await planeStarting;
    plane = up;
    const cluster = new TestCluster(up.info, up);
    const overlayDir = join(up.info.runDir, 'overlay');
    await timed('install as shipped', () => installShipped(cluster, images, overlayDir));
    return {
      cluster,
      node: started,
      images,
      overlayDir,
      timings,
      stop: async () => {
        await started.stop();
        await up.stop();
      },
    };
  } catch (error) {
    await node?.stop();
    await (plane ?? (await planeStarting.catch(() => undefined)))?.stop();
    throw error;
  }
}
