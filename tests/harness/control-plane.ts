// A real etcd + kube-apiserver on random loopback ports, envtest-style (no controllers, no
// scheduler, no kubelet), with TLS, client-certificate admin access, RBAC and Longhorn's CRDs.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ApiextensionsV1Api, KubeConfig } from '@kubernetes/client-node';
import { createControlPlanePki, type ControlPlanePki } from './pki.ts';
import { freePort } from './free-port.ts';
import { requireLonghornCrdsFile } from './longhorn-crds-file.ts';
import { isAlive, startLogged, stopPid, type RunningProcess } from './process-control.ts';
import { removeStaleRunDirs } from './stale-run-dirs.ts';
import { waitFor } from './wait-for.ts';

const run = promisify(execFile);
const runDirPrefix = 'lbg-control-plane-';

export interface ControlPlaneInfo {
  runDir: string;
  apiUrl: string;
  kubeconfigPath: string;
  caFile: string;
  binDir: string;
  kubectlPath: string;
  etcdUrl: string;
}

export interface StartOptions {
  binDir: string;
  crdsPath: string;
  /** Write the apiserver's audit log (every request's metadata) to `<runDir>/audit.log`. */
  auditLog?: boolean;
  /** Printed progress goes here (stderr by default). */
  log?: (message: string) => void;
  /**
   * For a cluster with a node (tests/harness/node.ts): the apiserver listens on this non-loopback
   * address too, calls webhooks at their endpoint IPs (no kube-proxy), mounts projected
   * ServiceAccount tokens (the ServiceAccount admission plugin) and reaches kubelets with the
   * admin client certificate.
   */
  nodeAddress?: string;
  /** More kube-apiserver flags (e.g. --goaway-chance for the client's connection tests). */
  apiserverArgs?: readonly string[];
}

/** The first address of the `kubernetes` Service (--service-cluster-ip-range=10.0.0.0/24). */
export const KUBERNETES_SERVICE_IP = '10.0.0.1';

export class ControlPlane {
  readonly info: ControlPlaneInfo;
  readonly #pki: ControlPlanePki;
  readonly #apiPort: number;
  readonly #etcdPeerPort: number;
  readonly #auditLog: boolean;
  readonly #nodeAddress: string | undefined;
  readonly #apiserverArgs: readonly string[];
  #etcd: RunningProcess | undefined;
  #apiserver: RunningProcess | undefined;

  private constructor(
    info: ControlPlaneInfo,
    pki: ControlPlanePki,
    apiPort: number,
    etcd: RunningProcess,
    etcdPeerPort: number,
    auditLog: boolean,
    nodeAddress: string | undefined,
    apiserverArgs: readonly string[],
  ) {
    this.info = info;
    this.#nodeAddress = nodeAddress;
    this.#apiserverArgs = apiserverArgs;
    this.#pki = pki;
    this.#apiPort = apiPort;
    this.#etcd = etcd;
    this.#etcdPeerPort = etcdPeerPort;
    this.#auditLog = auditLog;
  }

  static async start(options: StartOptions): Promise<ControlPlane> {
    requireLonghornCrdsFile(options.crdsPath);
    const log = options.log ?? ((m: string) => process.stderr.write(`[control-plane] ${m}\n`));
    await removeStaleRunDirs(runDirPrefix, stopRunDir, log);
    const runDir = await mkdtemp(join(tmpdir(), runDirPrefix));
    await writeFile(join(runDir, 'owner.pid'), String(process.pid));
    stopOnInterrupt(runDir);
    try {
      const pki = await createControlPlanePki(
        join(runDir, 'pki'),
        options.nodeAddress ? [options.nodeAddress, KUBERNETES_SERVICE_IP] : [],
      );
      const etcdPort = await freePort();
      const peerPort = await freePort();
      const etcdUrl = `http://127.0.0.1:${etcdPort}`;
      const etcd = await startEtcd(options.binDir, runDir, etcdUrl, peerPort);

      const apiPort = await freePort();
      const info: ControlPlaneInfo = {
        runDir,
        apiUrl: `https://127.0.0.1:${apiPort}`,
        kubeconfigPath: join(runDir, 'kubeconfig'),
        caFile: pki.caCert,
        binDir: options.binDir,
        kubectlPath: join(options.binDir, 'kubectl'),
        etcdUrl,
      };
      const plane = new ControlPlane(
        info,
        pki,
        apiPort,
        etcd,
        peerPort,
        options.auditLog === true,
        options.nodeAddress,
        options.apiserverArgs ?? [],
      );
      await writeFile(info.kubeconfigPath, adminKubeconfig(info.apiUrl, pki), { mode: 0o600 });
      const started = Date.now();
      await plane.startApiserver();
      log(`kube-apiserver ready at ${info.apiUrl} in ${Date.now() - started} ms`);
      await installCrds(plane.kubeConfig(), info, options.crdsPath);
      log(`Longhorn CRDs from ${options.crdsPath} established`);
      return plane;
    } catch (error) {
      liveRunDirs.delete(runDir);
      await stopRunDir(runDir);
      throw error;
    }
  }

  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromFile(this.info.kubeconfigPath);
    return kc;
  }

  async startApiserver(): Promise<void> {
    const p = this.#pki;
    const runDir = this.info.runDir;
    const node = this.#nodeAddress;
    const apiserver = startLogged(
      join(this.info.binDir, 'kube-apiserver'),
      [
        `--etcd-servers=${this.info.etcdUrl}`,
        ...(node
          ? [
              '--bind-address=0.0.0.0',
              `--advertise-address=${node}`,
              '--enable-aggregator-routing=true',
              // The node's name resolves nowhere: logs and exec go to its InternalIP.
              '--kubelet-preferred-address-types=InternalIP',
              `--kubelet-client-certificate=${p.adminCert}`,
              `--kubelet-client-key=${p.adminKey}`,
            ]
          : ['--bind-address=127.0.0.1', '--advertise-address=127.0.0.1']),
        `--secure-port=${this.#apiPort}`,
        // Kubernetes 1.37 refuses a loopback advertise address to its endpoint reconciler; nothing
        // here needs the `kubernetes` Service's endpoints.
        '--endpoint-reconciler-type=none',
        `--cert-dir=${join(runDir, 'apiserver-certs')}`,
        `--tls-cert-file=${p.apiserverCert}`,
        `--tls-private-key-file=${p.apiserverKey}`,
        `--client-ca-file=${p.caCert}`,
        `--service-account-issuer=https://127.0.0.1:${this.#apiPort}/`,
        `--service-account-key-file=${p.serviceAccountPub}`,
        `--service-account-signing-key-file=${p.serviceAccountKey}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--authorization-mode=RBAC',
        '--allow-privileged=true',
        ...(node ? [] : ['--disable-admission-plugins=ServiceAccount']),
        ...(this.#auditLog
          ? [`--audit-policy-file=${await writeAuditPolicy(runDir)}`, `--audit-log-path=${this.auditLogPath}`]
          : []),
        ...this.#apiserverArgs,
        ...(process.env.LBG_APISERVER_EXTRA_ARGS?.split(/\s+/).filter(Boolean) ?? []),
      ],
      join(runDir, 'kube-apiserver.log'),
      join(runDir, 'kube-apiserver.pid'),
    );
    this.#apiserver = apiserver;
    await waitFor(
      'kube-apiserver /readyz',
      async () => {
        if (!isAlive(apiserver.pid))
          throw new Error(`kube-apiserver exited, see ${join(runDir, 'kube-apiserver.log')}`);
        return (await this.#readyzStatus()) === 200 ? true : undefined;
      },
      120_000,
      250,
    );
  }

  async stopApiserver(): Promise<void> {
    if (this.#apiserver) await stopPid(this.#apiserver.pid);
    this.#apiserver = undefined;
  }

  /** Stops and starts kube-apiserver on the same port: watches break, clients must recover. */
  async restartApiserver(): Promise<void> {
    await this.stopApiserver();
    await this.startApiserver();
  }

  /** Where the audit log is written (with `auditLog: true`): one JSON event per line. */
  get auditLogPath(): string {
    return join(this.info.runDir, 'audit.log');
  }

  /** Stops etcd (SIGTERM); startEtcd() brings it back on the same ports and data. */
  async stopEtcd(): Promise<void> {
    if (this.#etcd) await stopPid(this.#etcd.pid);
    this.#etcd = undefined;
  }

  async startEtcd(): Promise<void> {
    this.#etcd ??= await startEtcd(this.info.binDir, this.info.runDir, this.info.etcdUrl, this.#etcdPeerPort);
  }

  /** SIGSTOP: etcd keeps its connections but answers nothing (a stalled disk or a long GC pause). */
  pauseEtcd(): void {
    if (this.#etcd) process.kill(this.#etcd.pid, 'SIGSTOP');
  }

  resumeEtcd(): void {
    if (this.#etcd) process.kill(this.#etcd.pid, 'SIGCONT');
  }

  async stop(): Promise<void> {
    liveRunDirs.delete(this.info.runDir);
    await stopRunDir(this.info.runDir);
  }

  #readyzStatus(): Promise<number> {
    return new Promise((resolve) => {
      const req = request(
        `${this.info.apiUrl}/readyz`,
        {
          ca: readFileSync(this.#pki.caCert),
          cert: readFileSync(this.#pki.adminCert),
          key: readFileSync(this.#pki.adminKey),
          timeout: 2_000,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.once('error', () => resolve(0));
      req.once('timeout', () => {
        req.destroy();
        resolve(0);
      });
      req.end();
    });
  }
}

async function startEtcd(binDir: string, runDir: string, etcdUrl: string, peerPort: number): Promise<RunningProcess> {
  const etcd = startLogged(
    join(binDir, 'etcd'),
    [
      '--name',
      'test',
      '--data-dir',
      join(runDir, 'etcd-data'),
      '--listen-client-urls',
      etcdUrl,
      '--advertise-client-urls',
      etcdUrl,
      '--listen-peer-urls',
      `http://127.0.0.1:${peerPort}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${peerPort}`,
      '--initial-cluster',
      `test=http://127.0.0.1:${peerPort}`,
      '--initial-cluster-state',
      'new',
      '--unsafe-no-fsync',
      '--logger',
      'zap',
      '--log-level',
      'warn',
    ],
    join(runDir, 'etcd.log'),
    join(runDir, 'etcd.pid'),
  );
  await waitFor(
    'etcd health',
    async () => {
      if (!isAlive(etcd.pid)) throw new Error(`etcd exited, see ${join(runDir, 'etcd.log')}`);
      const response = await fetch(`${etcdUrl}/health`);
      return response.ok ? true : undefined;
    },
    60_000,
  );
  return etcd;
}

/** Metadata of every request but reads of Events and the apiserver's own health checks. */
async function writeAuditPolicy(runDir: string): Promise<string> {
  const path = join(runDir, 'audit-policy.yaml');
  await writeFile(
    path,
    `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  nonResourceURLs: ['/healthz*', '/readyz*', '/livez*']
- level: Metadata
`,
  );
  return path;
}

function adminKubeconfig(apiUrl: string, pki: ControlPlanePki): string {
  const b64 = (file: string) => readFileSync(file).toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: ${apiUrl}
    certificate-authority-data: ${b64(pki.caCert)}
users:
- name: admin
  user:
    client-certificate-data: ${b64(pki.adminCert)}
    client-key-data: ${b64(pki.adminKey)}
contexts:
- name: local
  context:
    cluster: local
    user: admin
    namespace: default
current-context: local
`;
}

/**
 * Installs the CRDs exactly as written with the built kubectl. (The typed client is no use here:
 * its serializer maps JSONSchemaProps' `enum` to `_enum`, so a plain object silently loses every
 * enum and x-kubernetes-* key.)
 */
async function installCrds(kc: KubeConfig, info: ControlPlaneInfo, crdsPath: string): Promise<void> {
  const { stdout } = await run(info.kubectlPath, [
    '--kubeconfig',
    info.kubeconfigPath,
    'create',
    '-f',
    crdsPath,
    '-o',
    'name',
  ]);
  const names = stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace(/^.*\//, ''));
  if (names.length === 0) throw new Error(`no CustomResourceDefinition in ${crdsPath}`);
  const api = kc.makeApiClient(ApiextensionsV1Api);
  for (const name of names) {
    await waitFor(
      `CRD ${name} Established`,
      async () => {
        const current = await api.readCustomResourceDefinition({ name });
        return current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')
          ? true
          : undefined;
      },
      60_000,
    );
  }
}

const liveRunDirs = new Set<string>();

/**
 * Ctrl-C or SIGTERM stops every plane this process started, even one still starting, then exits.
 * (Test hooks do not run on a signal.) A SIGKILLed owner leaves its plane to the next start's sweep.
 */
function stopOnInterrupt(runDir: string): void {
  if (liveRunDirs.size === 0) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        void Promise.allSettled([...liveRunDirs].map(stopRunDir)).finally(() => process.exit(130));
      });
    }
  }
  liveRunDirs.add(runDir);
}

async function stopRunDir(runDir: string): Promise<void> {
  for (const name of ['kube-apiserver', 'etcd']) {
    const pidFile = join(runDir, `${name}.pid`);
    if (!existsSync(pidFile)) continue;
    const pid = Number(await readFile(pidFile, 'utf8'));
    // A paused etcd (SIGSTOP) would not act on SIGTERM until continued.
    if (isAlive(pid)) process.kill(pid, 'SIGCONT');
    await stopPid(pid);
  }
  await rm(runDir, { recursive: true, force: true });
}
