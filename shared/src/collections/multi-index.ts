// Objects grouped under an index key (a namespace, a PVC key, a volume name), then by their own
// name; kept up to date by informer handlers, so a decision reads one group without a scan.
export class MultiIndex<T> {
  readonly #groups = new Map<string, Map<string, T>>();

  set(group: string, name: string, value: T): void {
    let members = this.#groups.get(group);
    if (members === undefined) this.#groups.set(group, (members = new Map<string, T>()));
    members.set(name, value);
  }

  delete(group: string, name: string): void {
    const members = this.#groups.get(group);
    if (members === undefined) return;
    members.delete(name);
    if (members.size === 0) this.#groups.delete(group);
  }

  getOne(group: string, name: string): T | undefined {
    return this.#groups.get(group)?.get(name);
  }

  get(group: string): T[] {
    return [...(this.#groups.get(group)?.values() ?? [])];
  }

  groups(): IterableIterator<string> {
    return this.#groups.keys();
  }
}
