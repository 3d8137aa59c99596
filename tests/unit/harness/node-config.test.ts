// The node's configuration files (tests/harness/node/node-config.ts) and the shipped install's
// overlay: what the issue found necessary on these machines is there, and the overlay changes the
// image references and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cniConflist, containerdConfig, kubeletConfig, POD_SUBNET } from '../../harness/node/node-config.ts';
import { overlayKustomization } from '../../harness/node/install-shipped.ts';
import { repoRoot } from '../../harness/paths.ts';

const paths = {
  runDir: '/tmp/lbg-node-x',
  containerdSocket: '/tmp/lbg-node-x/containerd/containerd.sock',
  cniConfDir: '/tmp/lbg-node-x/cni',
  caFile: '/tmp/ca.crt',
};

test("containerd: its own root, state and sockets, the pause image built here, runc's type, no OOM score adjustment", () => {
  const text = containerdConfig(paths, 'localhost/lbg-pause:abc');
  for (const line of [
    'root = "/tmp/lbg-node-x/containerd/root"',
    'state = "/tmp/lbg-node-x/containerd/state"',
    'address = "/tmp/lbg-node-x/containerd/containerd.sock"',
    'sandbox_image = "localhost/lbg-pause:abc"',
    'restrict_oom_score_adj = true',
    'netns_mounts_under_state_dir = true',
    'runtime_type = "io.containerd.runc.v2"',
    'SystemdCgroup = false',
    'conf_dir = "/tmp/lbg-node-x/cni"',
  ]) {
    assert.ok(text.includes(line), line);
  }
});

test('CNI: a bridge with host-local addresses in the pod subnet, state under the run directory', () => {
  const conflist = JSON.parse(cniConflist(paths.runDir)) as {
    plugins: { type: string; ipam?: { type: string; ranges: { subnet: string }[][]; dataDir: string } }[];
  };
  const bridge = conflist.plugins.find((plugin) => plugin.type === 'bridge');
  assert.equal(bridge?.ipam?.type, 'host-local');
  assert.equal(bridge.ipam.ranges[0]?.[0]?.subnet, POD_SUBNET);
  assert.equal(bridge.ipam.dataDir, '/tmp/lbg-node-x/cni-ipam');
});

test('kubelet: cgroupfs on cgroup v1, no image garbage collection, no eviction, webhook authorisation', () => {
  const config = parse(kubeletConfig(paths, { port: 1, healthzPort: 2, address: '192.0.2.2' })) as Record<
    string,
    unknown
  >;
  assert.equal(config.cgroupDriver, 'cgroupfs');
  assert.equal(config.failCgroupV1, false);
  assert.equal(config.imageGCHighThresholdPercent, 100);
  assert.equal(config.containerRuntimeEndpoint, `unix://${paths.containerdSocket}`);
  assert.deepEqual((config.authorization as { mode: string }).mode, 'Webhook');
  assert.equal(config.readOnlyPort, 0);
});

test('the overlay changes the image references of manifests/core and nothing else', () => {
  const dir = '/tmp/lbg-control-plane-x/overlay';
  const kustomization = parse(
    overlayKustomization(
      [
        { component: 'webhook', reference: 'localhost/longhorn-backup-guard-webhook:0123', archive: '' },
        { component: 'reconciler', reference: 'localhost/longhorn-backup-guard-reconciler:4567', archive: '' },
      ],
      dir,
    ),
  ) as { resources: string[]; images: { name: string; newName: string; newTag: string }[] };
  assert.deepEqual(Object.keys(kustomization).sort(), ['apiVersion', 'images', 'kind', 'resources']);
  assert.equal(join(dir, kustomization.resources[0] ?? ''), join(repoRoot, 'manifests', 'core'));
  assert.deepEqual(kustomization.images, [
    {
      name: 'ghcr.io/vluwte/longhorn-backup-guard-webhook',
      newName: 'localhost/longhorn-backup-guard-webhook',
      newTag: '0123',
    },
    {
      name: 'ghcr.io/vluwte/longhorn-backup-guard-reconciler',
      newName: 'localhost/longhorn-backup-guard-reconciler',
      newTag: '4567',
    },
  ]);
});
