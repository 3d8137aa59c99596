// The Longhorn CRDs file must exist before anything is built or started. Outside the workspace this
// repository was developed in (a clone on its own), the default file beside it is absent: say in one
// message where Longhorn publishes its CRDs and how to point LONGHORN_CRDS at them.
import { existsSync } from 'node:fs';
import { longhornCrdsPath, longhornVersion } from './paths.ts';

/** Where Longhorn publishes the CRDs of `version` (CRDs only; deploy/longhorn.yaml holds the whole install). */
export function longhornCrdsUrl(version: string): string {
  return `https://raw.githubusercontent.com/longhorn/longhorn-manager/${version}/k8s/crds.yaml`;
}

/** The message for a missing CRDs file at `path`; `fromEnv`: whether LONGHORN_CRDS named it. */
export function missingLonghornCrdsMessage(path: string, fromEnv: boolean, version: string): string {
  const what = fromEnv
    ? `LONGHORN_CRDS names ${path}, which does not exist`
    : `LONGHORN_CRDS is unset and the default ${path} does not exist (it lies outside this repository)`;
  return (
    `Longhorn's CRDs are needed for the local control plane: ${what}. Longhorn publishes the CRDs of ${version} at ${longhornCrdsUrl(version)}; ` +
    `download them and point LONGHORN_CRDS at the file: curl -fsSLo longhorn-crds.yaml ${longhornCrdsUrl(version)} && export LONGHORN_CRDS=$PWD/longhorn-crds.yaml`
  );
}

/** The message above when the CRDs file at `path` is missing, else undefined. */
export function longhornCrdsProblem(path = longhornCrdsPath): string | undefined {
  return existsSync(path)
    ? undefined
    : missingLonghornCrdsMessage(path, process.env.LONGHORN_CRDS !== undefined, longhornVersion);
}

/** Throws the message when the CRDs file is missing (for code that starts a control plane). */
export function requireLonghornCrdsFile(path = longhornCrdsPath): void {
  const problem = longhornCrdsProblem(path);
  if (problem !== undefined) throw new Error(problem);
}

/** For `npm test` and `npm start`: prints the message alone (no stack) and exits 1 when the file is missing. */
export function exitWithoutLonghornCrdsFile(): void {
  const problem = longhornCrdsProblem();
  if (problem === undefined) return;
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
