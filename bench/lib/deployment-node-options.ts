// The Node options a component runs with as shipped: its Deployment's NODE_OPTIONS (e.g. the V8 heap
// cap, read from manifests/core/) and the flags its image's ENTRYPOINT gives node (Node refuses some
// V8 flags in NODE_OPTIONS), so a benchmark runs the process as shipped without repeating the values.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseDockerfile } from '../../scripts/assemble-runtime.ts';
import { repoRoot } from '../../tests/harness/paths.ts';

interface Deployment {
  kind?: string;
  spec?: { template?: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } } };
}

/** The flags between `node` and the script in the image's exec-form ENTRYPOINT (its final stage's last). */
function entrypointNodeFlags(component: 'webhook' | 'reconciler'): string[] {
  const stages = parseDockerfile(readFileSync(join(repoRoot, `Dockerfile.${component}`), 'utf8'));
  const entrypoint = stages.at(-1)?.instructions.findLast((instruction) => instruction.keyword === 'ENTRYPOINT');
  if (entrypoint === undefined) return [];
  return (JSON.parse(entrypoint.args) as string[]).slice(1, -1);
}

/** The Deployment's NODE_OPTIONS, e.g. '--max-old-space-size=96'; '' when it sets none. */
export function deploymentNodeOptions(component: 'webhook' | 'reconciler'): string {
  const text = readFileSync(join(repoRoot, 'manifests', 'core', `${component}-deployment.yaml`), 'utf8');
  for (const doc of parseAllDocuments(text)) {
    const object = doc.toJS() as Deployment;
    if (object.kind !== 'Deployment') continue;
    for (const container of object.spec?.template?.spec?.containers ?? [])
      for (const variable of container.env ?? []) if (variable.name === 'NODE_OPTIONS') return variable.value ?? '';
  }
  return '';
}

/** What node runs the component with as shipped, for a process started with these as its flags. */
export function shippedNodeOptions(component: 'webhook' | 'reconciler'): string {
  return [deploymentNodeOptions(component), ...entrypointNodeFlags(component)].join(' ').trim();
}
