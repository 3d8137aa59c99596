// What an informer keeps of an object: the decisions read labels, a few spec fields and a few
// status fields, never the server-side-apply bookkeeping (managedFields, often larger than the
// object) or kubectl's last-applied copy of the whole object. Dropping them at the informer (its
// transform) keeps every cached copy lean, for the reconciler's and the webhook's memory alike.

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

interface WithMetadata {
  metadata?: { managedFields?: unknown; annotations?: Record<string, string> | null };
}

/** Drops managedFields and the last-applied annotation, in place (the object is freshly parsed). */
export function withoutBookkeeping<T>(object: T): T {
  const metadata = (object as WithMetadata | null)?.metadata;
  if (metadata) {
    delete metadata.managedFields;
    if (metadata.annotations && LAST_APPLIED in metadata.annotations) delete metadata.annotations[LAST_APPLIED];
  }
  return object;
}

/** withoutBookkeeping, and only the named status fields kept (the rest of a status nobody reads). */
export function keepingStatus<T extends { status?: object }>(fields: readonly string[]): (object: T) => T {
  return (object) => {
    withoutBookkeeping(object);
    const status = object.status as Record<string, unknown> | undefined;
    if (status)
      object.status = Object.fromEntries(
        fields.filter((field) => field in status).map((field) => [field, status[field]]),
      );
    return object;
  };
}
