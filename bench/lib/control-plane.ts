// A dedicated control plane for one benchmark run (etcd + kube-apiserver with Longhorn's CRDs), from
// the test harness: a benchmark never shares an apiserver with tests that run meanwhile.
import { ControlPlane } from '../../tests/harness/control-plane.ts';
import { buildControlPlaneBinaries } from '../../tests/harness/build-binaries.ts';
import { longhornCrdsPath } from '../../tests/harness/paths.ts';

export async function startBenchControlPlane(log: (message: string) => void): Promise<ControlPlane> {
  const binDir = await buildControlPlaneBinaries();
  return ControlPlane.start({
    binDir,
    crdsPath: longhornCrdsPath,
    log: (message) => log(`[control-plane] ${message}`),
  });
}

export type { ControlPlane };
