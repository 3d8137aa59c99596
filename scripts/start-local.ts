// `npm start`: the product on a local control plane. Builds (once, cached) and starts etcd +
// kube-apiserver with Longhorn's CRDs, prints a kubeconfig and what to try, and tears it all down
// on Ctrl-C.
import { buildControlPlaneBinaries } from '../tests/harness/build-binaries.ts';
import { ControlPlane } from '../tests/harness/control-plane.ts';
import { longhornCrdsPath } from '../tests/harness/paths.ts';

const binDir = await buildControlPlaneBinaries();
const plane = await ControlPlane.start({ binDir, crdsPath: longhornCrdsPath });
const { kubeconfigPath, kubectlPath } = plane.info;

process.stdout.write(`
The local control plane is up (kube-apiserver ${plane.info.apiUrl}, Longhorn CRDs installed).

  export KUBECONFIG=${kubeconfigPath}
  alias kubectl=${kubectlPath}

  kubectl get crd | grep longhorn.io
  kubectl get recurringjobs -n longhorn-system

Ctrl-C stops everything and removes its files.
`);
// The control plane stops itself on SIGINT/SIGTERM; keep the process alive until then.
setInterval(() => {}, 1 << 30);
