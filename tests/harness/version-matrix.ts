// The versions the tests prove (README, "Supported versions"): Kubernetes x Longhorn. Each cell
// runs on its own control plane, built once per Kubernetes version by tests/control-plane/build.sh
// (which picks the etcd upstream tests that Kubernetes release with), with that Longhorn
// release's own CRDs installed.

export interface Cell {
  /** A Kubernetes release on the Go module proxy (K8S_VERSION of build.sh). */
  readonly kubernetes: string;
  /** A Longhorn release whose CRDs are `crds-v<longhorn>.yaml` in the Longhorn CRDs folder. */
  readonly longhorn: string;
}

/** Newest first: the newest Kubernetes release, and the oldest still supported upstream. */
export const KUBERNETES_VERSIONS = ['v1.37.2', 'v1.35.4'] as const;
/** Newest first: Longhorn's latest release and the previous, still maintained, minor. */
export const LONGHORN_VERSIONS = ['1.12.1', '1.11.3'] as const;

/** The default cell: what `npm start` and `npm run test:cell` use unless told otherwise. */
export const DEFAULT_CELL: Cell = { kubernetes: KUBERNETES_VERSIONS[0], longhorn: LONGHORN_VERSIONS[0] };

/** `npm test` (and CI): newest with newest, oldest with oldest. */
export const DIAGONAL: readonly Cell[] = KUBERNETES_VERSIONS.map((kubernetes, i) => ({
  kubernetes,
  longhorn: LONGHORN_VERSIONS[i] ?? LONGHORN_VERSIONS[0],
}));

/** `npm run test:matrix`: every pair. */
export const ALL_CELLS: readonly Cell[] = KUBERNETES_VERSIONS.flatMap((kubernetes) =>
  LONGHORN_VERSIONS.map((longhorn) => ({ kubernetes, longhorn })),
);

export const describeCell = ({ kubernetes, longhorn }: Cell): string =>
  `Kubernetes ${kubernetes} + Longhorn ${longhorn}`;
