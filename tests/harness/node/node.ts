// A single-node cluster beside a control plane: containerd (its own root, state and socket under
// the run directory), the CNI bridge, kube-controller-manager, kube-scheduler and a kubelet whose
// node has a non-loopback IP (kubectl logs/exec need one). Everything is started and stopped by
// PID like the control plane; the images (pause, webhook, reconciler) are imported into its
// containerd. No kube-proxy: the apiserver calls webhooks at their endpoint IPs
// (--enable-aggregator-routing), and the harness plays kube-proxy for the one Service pods need,
// `kubernetes` (a DNAT rule from its ClusterIP to the apiserver), removed again on stop.
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { KUBERNETES_SERVICE_IP, type ControlPlane } from '../control-plane.ts';
import { freePort } from '../free-port.ts';
import { isAlive, startLogged, stopPid } from '../process-control.ts';
import { removeStaleRunDirs } from '../stale-run-dirs.ts';
import { waitFor } from '../wait-for.ts';
import type { BuiltImage } from './images.ts';
import { BRIDGE_NAME, cniConflist, containerdConfig, kubeletConfig, type NodePaths } from './node-config.ts';

const run = promisify(execFile);
const runDirPrefix = 'lbg-node-';
export const NODE_NAME = 'lbg-node';
/** Stopped in this order: the kubelet first, so that nothing restarts what is being stopped. */
const COMPONENTS = ['kubelet', 'kube-scheduler', 'kube-controller-manager', 'containerd'] as const;

/** The machine's first non-loopback IPv4 address: the node's (and the apiserver's) address. */
export function nodeAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return undefined;
}

export interface NodeStartOptions {
  /** May still be starting: containerd starts and imports the images meanwhile. */
  plane: ControlPlane | Promise<ControlPlane>;
  /** Where kubelet, kube-controller-manager and kube-scheduler are (tests/node/build.sh). */
  nodeBinDir: string;
  /** The pause image first, then the images to load (tests/node/images.sh). */
  images: readonly BuiltImage[];
  log?: (message: string) => void;
}

export class Node {
  readonly runDir: string;
  readonly containerdSocket: string;
  /** Set once the control plane is up. */
  #core: CoreV1Api | undefined;

  private constructor(runDir: string) {
    this.runDir = runDir;
    this.containerdSocket = join(runDir, 'containerd', 'containerd.sock');
  }

  static async start(options: NodeStartOptions): Promise<Node> {
    const log = options.log ?? ((m: string) => process.stderr.write(`[node] ${m}\n`));
    const address = nodeAddress();
    if (!address) throw new Error('the machine has no non-loopback IPv4 address for the node');
    await removeStaleRunDirs(runDirPrefix, stopRunDir, log);
    const runDir = await mkdtemp(join(tmpdir(), runDirPrefix));
    await writeFile(join(runDir, 'owner.pid'), String(process.pid));
    killOnInterrupt(runDir);
    const node = new Node(runDir);
    try {
      await node.#startContainerd(options.images, log);
      await node.#join(await options.plane, options.nodeBinDir, address, log);
      return node;
    } catch (error) {
      liveRunDirs.delete(runDir);
      await stopRunDir(runDir);
      throw error;
    }
  }

  /** containerd with the CNI configuration and the images imported: nothing here needs the control plane. */
  async #startContainerd(images: readonly BuiltImage[], log: (m: string) => void): Promise<void> {
    const runDir = this.runDir;
    const paths = this.#paths();
    const [pause] = images;
    if (!pause) throw new Error('no pause image');
    await mkdir(paths.cniConfDir, { recursive: true });
    await writeFile(join(paths.cniConfDir, '10-lbg-node.conflist'), cniConflist(runDir));
    await writeFile(join(runDir, 'containerd.toml'), containerdConfig(paths, pause.reference));
    const started = Date.now();
    const containerd = startLogged(
      'containerd',
      ['--config', join(runDir, 'containerd.toml')],
      join(runDir, 'containerd.log'),
      join(runDir, 'containerd.pid'),
    );
    await waitFor('containerd socket', async () => {
      if (!isAlive(containerd.pid)) throw new Error(`containerd exited, see ${join(runDir, 'containerd.log')}`);
      await run('ctr', ['--address', this.containerdSocket, 'version']);
      return true;
    });
    for (const image of images) {
      await run('ctr', ['--address', this.containerdSocket, '-n', 'k8s.io', 'images', 'import', image.archive], {
        maxBuffer: 16 * 1024 * 1024,
      });
    }
    log(`containerd up with ${images.length} images imported in ${Date.now() - started} ms`);
  }

  #paths(caFile = ''): NodePaths {
    const runDir = this.runDir;
    return { runDir, containerdSocket: this.containerdSocket, cniConfDir: join(runDir, 'cni'), caFile };
  }

  /** The `kubernetes` Service's DNAT rule, the controllers and the kubelet; waits for the node to be Ready. */
  async #join(plane: ControlPlane, nodeBinDir: string, address: string, log: (m: string) => void): Promise<void> {
    const runDir = this.runDir;
    const paths = this.#paths(plane.info.caFile);
    const core = plane.kubeConfig().makeApiClient(CoreV1Api);
    this.#core = core;
    const dnatRule = [
      ...['-p', 'tcp', '-d', KUBERNETES_SERVICE_IP, '--dport', '443', '-j', 'DNAT', '--to-destination'],
      `${address}:${new URL(plane.info.apiUrl).port}`,
    ];
    await writeFile(join(runDir, 'dnat-rule.json'), JSON.stringify(dnatRule));
    await run('iptables', ['-t', 'nat', '-I', 'PREROUTING', ...dnatRule]);

    const started = Date.now();
    const kubeconfig = plane.info.kubeconfigPath;
    const pki = join(plane.info.runDir, 'pki');
    const controllerManager = startLogged(
      join(nodeBinDir, 'kube-controller-manager'),
      [
        ...(await controllerArgs(kubeconfig)),
        `--root-ca-file=${plane.info.caFile}`,
        `--service-account-private-key-file=${join(pki, 'sa.key')}`,
        '--use-service-account-credentials=false',
      ],
      join(runDir, 'kube-controller-manager.log'),
      join(runDir, 'kube-controller-manager.pid'),
    );
    const scheduler = startLogged(
      join(nodeBinDir, 'kube-scheduler'),
      [...(await controllerArgs(kubeconfig))],
      join(runDir, 'kube-scheduler.log'),
      join(runDir, 'kube-scheduler.pid'),
    );
    await writeFile(
      join(runDir, 'kubelet.yaml'),
      kubeletConfig(paths, { address, port: await freePort(), healthzPort: await freePort() }),
    );
    const kubelet = startLogged(
      join(nodeBinDir, 'kubelet'),
      [
        `--config=${join(runDir, 'kubelet.yaml')}`,
        `--kubeconfig=${kubeconfig}`,
        `--root-dir=${join(runDir, 'kubelet')}`,
        `--cert-dir=${join(runDir, 'kubelet-pki')}`,
        `--hostname-override=${NODE_NAME}`,
        `--node-ip=${address}`,
        '--v=1',
      ],
      join(runDir, 'kubelet.log'),
      join(runDir, 'kubelet.pid'),
    );
    await waitFor(
      `node ${NODE_NAME} Ready`,
      async () => {
        for (const [name, pid] of [
          ['kubelet', kubelet.pid],
          ['kube-controller-manager', controllerManager.pid],
          ['kube-scheduler', scheduler.pid],
        ] as const) {
          if (!isAlive(pid)) throw new Error(`${name} exited: ${await logTail(join(runDir, `${name}.log`))}`);
        }
        const node = await core.readNode({ name: NODE_NAME });
        return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
      },
      180_000,
      500,
    );
    log(`node ${NODE_NAME} (${address}) Ready in ${Date.now() - started} ms; files in ${runDir}`);
  }

  /**
   * Lets the kubelet tear the pods down first (their sandboxes' network namespaces live outside the
   * run directory): no controller re-creates them once the controller manager is stopped.
   */
  async stop(): Promise<void> {
    liveRunDirs.delete(this.runDir);
    const controllerManager = await readPid(join(this.runDir, 'kube-controller-manager.pid'));
    if (controllerManager) await stopPid(controllerManager);
    const kubelet = await readPid(join(this.runDir, 'kubelet.pid'));
    const core = this.#core;
    if (kubelet && isAlive(kubelet) && core) {
      const pods = await core.listPodForAllNamespaces().catch(() => undefined);
      for (const pod of pods?.items ?? []) {
        const { name = '', namespace = '' } = pod.metadata ?? {};
        await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 }).catch(() => {});
      }
      await waitFor(
        'the pods gone',
        async () => ((await core.listPodForAllNamespaces()).items.length === 0 ? true : undefined),
        60_000,
        500,
      ).catch(() => {});
    }
    await stopRunDir(this.runDir);
  }
}

/**
 * Stops the components by PID, then what outlives them: the containers (their processes are
 * children of containerd's shims, not of containerd), the shims, the mounts under the run
 * directory, the pods' network namespaces and bridge, and the DNAT rule.
 */
async function stopRunDir(runDir: string): Promise<void> {
  const socket = join(runDir, 'containerd', 'containerd.sock');
  const containerdPid = await readPid(join(runDir, 'containerd.pid'));
  if (containerdPid && isAlive(containerdPid)) {
    const tasks = await run('ctr', ['--address', socket, '-n', 'k8s.io', 'tasks', 'ls', '-q']).catch(() => ({
      stdout: '',
    }));
    for (const id of tasks.stdout.split('\n').filter(Boolean)) {
      await run('ctr', ['--address', socket, '-n', 'k8s.io', 'tasks', 'kill', '-s', 'SIGKILL', id]).catch(() => {});
    }
  }
  for (const name of COMPONENTS) {
    const pid = await readPid(join(runDir, `${name}.pid`));
    if (pid) await stopPid(pid);
  }
  for (const pid of shimPids(socket)) await stopPid(pid, 2_000);
  await unmountUnder(runDir);
  const rule = await readFile(join(runDir, 'dnat-rule.json'), 'utf8').catch(() => undefined);
  if (rule) await run('iptables', ['-t', 'nat', '-D', 'PREROUTING', ...(JSON.parse(rule) as string[])]).catch(() => {});
  await run('ip', ['link', 'delete', BRIDGE_NAME]).catch(() => {});
  await rm(runDir, { recursive: true, force: true });
}

/** What kube-controller-manager and kube-scheduler share: admin credentials, one instance, loopback serving. */
async function controllerArgs(kubeconfig: string): Promise<string[]> {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    `--secure-port=${await freePort()}`,
  ];
}

async function logTail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').slice(-5).join('\n');
}

async function readPid(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text ? Number(text) : undefined;
}

/** containerd's shims of this node: their command line names its socket. */
function shimPids(socket: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmdline.startsWith('/usr/bin/containerd-shim') && cmdline.includes(socket)) pids.push(Number(entry));
  }
  return pids;
}

const liveRunDirs = new Set<string>();

/**
 * Ctrl-C or SIGTERM: the control plane's handler exits the process as soon as its plane is down,
 * so the node's processes are killed here at once, synchronously (each shim's containers die with
 * it: a container's first process is its PID namespace's init). The mounts, network and files are
 * left to the next start's sweep, as after a SIGKILL.
 */
function killOnInterrupt(runDir: string): void {
  if (liveRunDirs.size === 0) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        for (const dir of liveRunDirs) killNodeNow(dir);
      });
    }
  }
  liveRunDirs.add(runDir);
}

function killNodeNow(runDir: string): void {
  const pids = COMPONENTS.map((name) => {
    try {
      return Number(readFileSync(join(runDir, `${name}.pid`), 'utf8'));
    } catch {
      return 0;
    }
  });
  const containerProcesses = shimPids(join(runDir, 'containerd', 'containerd.sock')).flatMap((shim) => [
    ...childPids(shim),
    shim,
  ]);
  for (const pid of [...pids, ...containerProcesses]) {
    try {
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      /* gone already */
    }
  }
}

function childPids(parent: number): number[] {
  try {
    return readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Deepest first: the containers' root filesystems, the kubelet's volume tmpfs, netns bind mounts. */
async function unmountUnder(dir: string): Promise<void> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const points = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of points) await run('umount', ['-l', point]).catch(() => {});
}
