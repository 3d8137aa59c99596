// Proves a matrix cell runs what it says (README, "Supported versions"): the apiserver is the
// Kubernetes release asked for (K8S_VERSION, default the default cell's) and the Longhorn CRDs it
// serves are those of LONGHORN_CRDS, field for field.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { VersionApi } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { longhornCrdsPath } from '../harness/paths.ts';
import { useTestCluster } from '../harness/test-cluster.ts';
import { DEFAULT_CELL } from '../harness/version-matrix.ts';

const cluster = await useTestCluster();
const kc = cluster.kubeConfig();

test('the apiserver is the Kubernetes release of the cell', async () => {
  const version = await kc.makeApiClient(VersionApi).getCode();
  assert.equal(version.gitVersion, process.env.K8S_VERSION ?? DEFAULT_CELL.kubernetes);
});

test("the Longhorn CRDs served are the cell's Longhorn release's", async () => {
  interface Crd {
    metadata: { name: string };
    spec: { versions: { name: string; schema?: unknown }[] };
  }
  const fromFile = parseAllDocuments(await readFile(longhornCrdsPath, 'utf8'))
    .map((doc) => doc.toJS() as (Crd & { kind?: string }) | null)
    .filter((doc): doc is Crd & { kind: string } => doc?.kind === 'CustomResourceDefinition');
  assert.ok(fromFile.length > 0, longhornCrdsPath);
  const schemaOf = (crd: Crd): unknown => crd.spec.versions.find((v) => v.name === 'v1beta2')?.schema;
  for (const crd of fromFile) {
    // kubectl, not the typed client: its serializer renames `enum` to `_enum`.
    const read = await cluster.kubectl(['get', 'crd', crd.metadata.name, '-o', 'json']);
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(schemaOf(JSON.parse(read.stdout) as Crd), schemaOf(crd), crd.metadata.name);
  }
});
