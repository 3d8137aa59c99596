// What a test file uses: the control plane of this test run (started by tests/run.ts and described
// by the file in LBG_TEST_CLUSTER), or, when a file runs on its own, a private one that the file
// stops when it ends. Each test works in namespaces of its own.
import { after } from 'node:test';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ControlPlane, type ControlPlaneInfo } from './control-plane.ts';
import { buildControlPlaneBinaries } from './build-binaries.ts';
import { longhornCrdsPath } from './paths.ts';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  input?: string;
  /** Impersonate this user (e.g. system:serviceaccount:ns:name). */
  as?: string;
}

export class TestCluster {
  readonly info: ControlPlaneInfo;
  /** Set only for a control plane this file started itself (which it may restart). */
  readonly controlPlane: ControlPlane | undefined;

  constructor(info: ControlPlaneInfo, controlPlane?: ControlPlane) {
    this.info = info;
    this.controlPlane = controlPlane;
  }

  /** An admin KubeConfig (client certificate in system:masters). */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromFile(this.info.kubeconfigPath);
    return kc;
  }

  /**
   * A KubeConfig that impersonates `user` through the admin's credentials. For a ServiceAccount
   * (`system:serviceaccount:<ns>:<name>`) the apiserver adds its groups itself.
   */
  impersonatingKubeConfig(user: string): KubeConfig {
    const kc = this.kubeConfig();
    const admin = kc.getCurrentUser();
    if (!admin) throw new Error('the admin kubeconfig has no user');
    kc.users = [{ ...admin, impersonateUser: user }];
    return kc;
  }

  kubectl(args: string[], options: KubectlOptions = {}): Promise<KubectlResult> {
    const fullArgs = ['--kubeconfig', this.info.kubeconfigPath, ...(options.as ? ['--as', options.as] : []), ...args];
    return new Promise((resolve) => {
      const child = execFile(
        this.info.kubectlPath,
        fullArgs,
        { maxBuffer: 32 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (options.input !== undefined) child.stdin?.end(options.input);
    });
  }

  /** Creates a namespace with a unique name; tests never share one. */
  async createNamespace(prefix: string, labels: Record<string, string> = {}): Promise<string> {
    const name = `${prefix}-${randomBytes(3).toString('hex')}`.slice(0, 63);
    await this.kubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name, labels } } });
    return name;
  }
}

let shared: Promise<TestCluster> | undefined;

/** The cluster for this test file; call at the top of a file (registers cleanup with node:test). */
export function useTestCluster(): Promise<TestCluster> {
  shared ??= connectOrStart();
  return shared;
}

/**
 * A control plane of the caller's own (for tests that restart the apiserver or etcd, or read its
 * audit log); stopped after the file.
 */
export async function startPrivateCluster(
  options: { auditLog?: boolean; apiserverArgs?: readonly string[] } = {},
): Promise<TestCluster> {
  const binDir = await buildControlPlaneBinaries();
  const plane = await ControlPlane.start({ binDir, crdsPath: longhornCrdsPath, ...options });
  after(() => plane.stop());
  return new TestCluster(plane.info, plane);
}

async function connectOrStart(): Promise<TestCluster> {
  const file = process.env.LBG_TEST_CLUSTER;
  if (file) return new TestCluster(JSON.parse(readFileSync(file, 'utf8')) as ControlPlaneInfo);
  return startPrivateCluster();
}
