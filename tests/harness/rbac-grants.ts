// Least privilege as a check on the source (issue 11, item 4): every verb a component's shipped
// RBAC grants is named with its call site in the code, and every named call site is still there
// and still granted, so a grant nobody uses (or a call nobody granted) fails the suite. Used by
// the grant tests of the reconciler and of the webhook.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './paths.ts';

/** `group/resource verb` (core group: `/resource verb`) -> where the code uses it: a file and a text in it. */
export type CallSites = Readonly<Record<string, { readonly file: string; readonly uses: string }>>;

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
}

/** Every `group/resource verb` a Role or ClusterRole of the manifest grants, sorted. */
export function grantedVerbs(manifest: string): string[] {
  const text = readFileSync(join(repoRoot, manifest), 'utf8');
  const grants = new Set<string>();
  for (const doc of parseAllDocuments(text)) {
    const object = doc.toJS() as { kind?: string; rules?: Rule[] };
    if (object.kind !== 'Role' && object.kind !== 'ClusterRole') continue;
    for (const rule of object.rules ?? []) {
      for (const group of rule.apiGroups ?? [])
        for (const resource of rule.resources ?? [])
          for (const verb of rule.verbs ?? []) grants.add(`${group}/${resource} ${verb}`);
    }
  }
  return [...grants].sort();
}

/** Compared with white space folded, so a formatter's line breaks do not hide a call site. */
function folded(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/([(,{]) /g, '$1');
}

/** What is wrong between the manifest's grants and the call sites, one sentence each; empty when they match. */
export function grantMismatches(manifest: string, callSites: CallSites): string[] {
  const granted = grantedVerbs(manifest);
  const problems = granted
    .filter((grant) => callSites[grant] === undefined)
    .map((grant) => `${grant} is granted, but no call site is known: remove the grant or name its call site`);
  for (const [grant, site] of Object.entries(callSites)) {
    if (!granted.includes(grant)) problems.push(`${grant} is used (${site.file}) but not granted`);
    else if (!folded(readFileSync(join(repoRoot, site.file), 'utf8')).includes(folded(site.uses)))
      problems.push(
        `${grant}: ${site.file} no longer contains ${JSON.stringify(site.uses)}; the grant may be unused now`,
      );
  }
  return problems;
}

/** An informer's two grants (`<group>/<resource> list` and `watch`), both used where it is built. */
export function listAndWatch(groupResource: string, site: CallSites[string]): CallSites {
  return { [`${groupResource} list`]: site, [`${groupResource} watch`]: site };
}
