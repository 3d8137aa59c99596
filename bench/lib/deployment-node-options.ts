// The Node options a component's Deployment sets (its NODE_OPTIONS, e.g. the V8 heap cap), read
// from manifests/core/, so a benchmark runs the process as shipped without repeating the value.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../../tests/harness/paths.ts';

interface Deployment {
  kind?: string;
  spec?: { template?: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } } };
}

/** e.g. '--max-old-space-size=96'; '' when the Deployment sets no NODE_OPTIONS. */
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
