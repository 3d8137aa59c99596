// Objects grouped by a namespace (their own, or the one a label names) and then by name, kept up
// to date by informer handlers, so a decision reads one namespace's objects without a scan.

export class NamespaceIndex<T> {
  readonly #byNamespace = new Map<string, Map<string, T>>();

  put(namespace: string, name: string, object: T): void {
    let objects = this.#byNamespace.get(namespace);
    if (objects === undefined) this.#byNamespace.set(namespace, (objects = new Map<string, T>()));
    objects.set(name, object);
  }

  remove(namespace: string, name: string): void {
    const objects = this.#byNamespace.get(namespace);
    objects?.delete(name);
    if (objects?.size === 0) this.#byNamespace.delete(namespace);
  }

  inNamespace(namespace: string): T[] {
    return [...(this.#byNamespace.get(namespace)?.values() ?? [])];
  }
}
