// The configuration files of the single node (tests/harness/node/node.ts), as text: containerd's
// CRI configuration, the CNI bridge and the kubelet's configuration. Pure: paths in, text out.

export interface NodePaths {
  /** containerd's root, state and socket, the kubelet's root, the CNI config and IPAM state live here. */
  readonly runDir: string;
  readonly containerdSocket: string;
  readonly cniConfDir: string;
  readonly caFile: string;
}

/** The pods' subnet on the node's bridge (the apiserver reaches pod IPs on it directly). */
export const POD_SUBNET = '10.88.0.0/16';
export const BRIDGE_NAME = 'lbg0';

/**
 * containerd 1.6 (Debian's): its own root/state/socket, the sandbox image built here, the runc
 * runtime declared with its type (else "container.Runtime.Name must be set"), cgroupfs, and
 * `restrict_oom_score_adj` (without CAP_SYS_RESOURCE runc cannot give the pause container its
 * -998 OOM score: "can't get final child's PID from pipe: EOF").
 */
export function containerdConfig(paths: NodePaths, sandboxImage: string): string {
  const { runDir } = paths;
  return `version = 2
root = "${runDir}/containerd/root"
state = "${runDir}/containerd/state"
[grpc]
  address = "${paths.containerdSocket}"
[ttrpc]
  address = "${paths.containerdSocket}.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "${runDir}/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${sandboxImage}"
  restrict_oom_score_adj = true
  # The pods' network namespaces under the run directory (removed with it), not in /run/netns.
  netns_mounts_under_state_dir = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    snapshotter = "overlayfs"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${paths.cniConfDir}"
`;
}

/** A bridge with host-local addresses; the pods reach the outside (the apiserver) through NAT. */
export function cniConflist(runDir: string): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'lbg-node',
      plugins: [
        {
          type: 'bridge',
          bridge: BRIDGE_NAME,
          isGateway: true,
          ipMasq: true,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: POD_SUBNET }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: `${runDir}/cni-ipam`,
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

/**
 * The kubelet: cgroupfs (this machine has cgroup v1, which 1.37 refuses unless told), no QoS
 * cgroup tree, no image garbage collection (the images cannot be pulled again), no eviction on a
 * shared disk, webhook authentication and authorisation for its own API (logs, exec).
 */
export function kubeletConfig(
  paths: NodePaths,
  options: { port: number; healthzPort: number; address: string },
): string {
  return `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${options.address}
port: ${options.port}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: ${options.healthzPort}
containerRuntimeEndpoint: unix://${paths.containerdSocket}
cgroupDriver: cgroupfs
failCgroupV1: false
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: "0%"
  nodefs.available: "0%"
  imagefs.available: "0%"
  nodefs.inodesFree: "0%"
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: ${paths.caFile}
authorization:
  mode: Webhook
registerNode: true
serializeImagePulls: false
resolvConf: /etc/resolv.conf
syncFrequency: 10s
fileCheckFrequency: 10s
nodeStatusReportFrequency: 10s
`;
}
