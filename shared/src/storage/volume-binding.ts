// Which Longhorn Volume a PVC may have backed up, resolved the way Kubernetes binds them: the PVC
// is Bound, the PV its spec.volumeName names has a claimRef pointing back at this PVC (namespace,
// name and uid), the PV is a CSI volume of the configured provisioner, and its volumeHandle names
// the Volume (which need not be the PV's name: a restore bound through a static PV). Longhorn's
// own record of the Volume's PVC (status.kubernetesStatus) must not name another PVC.
// spec.volumeName alone proves nothing: any user who can create a PVC can write a victim's PV
// name there, and the claim then stays Pending. Pure: the caller passes its cache lookups.

import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { Volume } from '../longhorn/types.ts';

/** Reported (backup_pvc_violation) when spec.volumeName names a PV that is not this PVC's Longhorn volume. */
export const VOLUME_NOT_BOUND_TO_PVC = 'volume_not_bound_to_pvc';

export type VolumeBinding =
  /** No spec.volumeName yet. */
  | { readonly kind: 'unbound' }
  /** On its way to being bound (or the Volume not made yet); `longhornPv`: the PV is Longhorn's. */
  | { readonly kind: 'waiting'; readonly why: string; readonly longhornPv: boolean }
  /** spec.volumeName names a PV that is not this PVC's Longhorn volume: never acted on. */
  | { readonly kind: 'refused'; readonly why: string }
  | { readonly kind: 'bound'; readonly pvName: string; readonly volume: Volume };

export interface BindingLookups {
  readonly pvNamed: (name: string) => V1PersistentVolume | undefined;
  readonly volumeNamed: (name: string) => Volume | undefined;
}

function describeClaim(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

/** The PVC's verified Longhorn Volume, or why there is none. */
export function resolveVolumeBinding(
  pvc: V1PersistentVolumeClaim,
  lookups: BindingLookups,
  provisioner: string,
): VolumeBinding {
  const pvName = pvc.spec?.volumeName ?? '';
  if (pvName === '') return { kind: 'unbound' };
  const namespace = pvc.metadata?.namespace ?? '';
  const name = pvc.metadata?.name ?? '';
  const pv = lookups.pvNamed(pvName);
  if (pv === undefined)
    return { kind: 'waiting', why: `PersistentVolume ${pvName} does not exist (yet)`, longhornPv: false };

  const csi = pv.spec?.csi;
  const longhornPv = csi?.driver === provisioner;
  if (!longhornPv) {
    const driver = csi === undefined ? 'is not a CSI volume' : `has CSI driver ${csi.driver}`;
    return {
      kind: 'refused',
      why: `PersistentVolume ${pvName} ${driver}, not ${provisioner}: it is not a Longhorn volume`,
    };
  }
  const claim = pv.spec?.claimRef;
  const uid = pvc.metadata?.uid ?? '';
  const claimed = claim !== undefined && (claim.namespace ?? '') !== '' && (claim.name ?? '') !== '';
  if (
    claimed &&
    (claim.namespace !== namespace || claim.name !== name || ((claim.uid ?? '') !== '' && claim.uid !== uid))
  ) {
    const other =
      claim.namespace === namespace && claim.name === name
        ? `an earlier PVC ${describeClaim(namespace, name)} (uid ${claim.uid ?? ''})`
        : `PVC ${describeClaim(claim.namespace, claim.name)}`;
    return {
      kind: 'refused',
      why: `PersistentVolume ${pvName} is bound to ${other}, not to this PVC: its volume is never backed up on this PVC's behalf`,
    };
  }
  if (!claimed || (claim.uid ?? '') === '')
    return { kind: 'waiting', why: `PersistentVolume ${pvName} is not bound to this PVC yet`, longhornPv };
  const phase = pvc.status?.phase ?? '';
  if (phase !== 'Bound')
    return { kind: 'waiting', why: `the PVC is ${phase === '' ? 'not' : phase + ', not'} Bound yet`, longhornPv };

  const handle = csi?.volumeHandle ?? '';
  const volume = lookups.volumeNamed(handle);
  if (volume === undefined)
    return {
      kind: 'waiting',
      why: `Longhorn volume ${handle} (the volumeHandle of PersistentVolume ${pvName}) does not exist yet`,
      longhornPv,
    };
  const recorded = volume.status?.kubernetesStatus;
  const recordsOther =
    (recorded?.pvcName ?? '') !== '' && (recorded?.namespace !== namespace || recorded?.pvcName !== name);
  // Longhorn keeps a deleted PVC in its record (with lastPVCRefAt) until it sees the new one.
  if (recordsOther && (recorded?.lastPVCRefAt ?? '') === '') {
    return {
      kind: 'refused',
      why: `Longhorn records PVC ${describeClaim(recorded?.namespace, recorded?.pvcName)} for volume ${handle}, not this PVC`,
    };
  }
  return { kind: 'bound', pvName, volume };
}

/** The Volume of a verified binding. */
export function boundVolume(binding: VolumeBinding): Volume | undefined {
  return binding.kind === 'bound' ? binding.volume : undefined;
}

/** Whether the PVC's PV is Longhorn's (bound to it, or on the way). */
export function hasLonghornPv(binding: VolumeBinding): boolean {
  return binding.kind === 'bound' || (binding.kind === 'waiting' && binding.longhornPv);
}
