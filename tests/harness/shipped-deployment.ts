// What a component's shipped Deployment (manifests/core/<component>-deployment.yaml) gives its
// container that a process on this machine should run with too: NODE_OPTIONS (the V8 heap cap)
// and the memory limit, so a test or benchmark measures the process as it runs in a cluster.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './paths.ts';

interface Document {
  kind?: string;
  spec?: { template?: { spec?: { containers?: Container[] } } };
}

interface Container {
  env?: { name: string; value?: string }[];
  resources?: { limits?: { memory?: string } };
}

export interface ShippedContainer {
  /** The container's NODE_OPTIONS, '' when it sets none. */
  readonly nodeOptions: string;
  readonly memoryLimitMiB: number;
}

const UNITS: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024 };

export function shippedContainer(component: 'webhook' | 'reconciler'): ShippedContainer {
  const path = join(repoRoot, 'manifests', 'core', `${component}-deployment.yaml`);
  const documents = parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => doc.toJS() as Document);
  const container = documents.find((doc) => doc.kind === 'Deployment')?.spec?.template?.spec?.containers?.[0];
  const limit = /^(\d+)(Ki|Mi|Gi)$/.exec(container?.resources?.limits?.memory ?? '');
  if (container === undefined || limit?.[1] === undefined || limit[2] === undefined)
    throw new Error(`${path}: no container with a memory limit in Ki, Mi or Gi`);
  return {
    nodeOptions: container.env?.find((variable) => variable.name === 'NODE_OPTIONS')?.value ?? '',
    memoryLimitMiB: Number(limit[1]) * (UNITS[limit[2]] ?? 1),
  };
}
