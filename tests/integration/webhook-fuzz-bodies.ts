// The bodies of the admission fuzz (issue 12, item 6), from a seed: fast-check draws a small
// recipe per body and the body is built from it only when it is sent, so a batch of huge ones never
// sits in memory at once. Kinds: random JSON, well-formed reviews with random backup labels (these
// must be answered 200), reviews with fields set to random values or removed, huge label maps, long
// keys and values, deep nesting, prototype keys, invalid UTF-8, truncated bodies, wrong
// Content-Types.
import fc from 'fast-check';
import { pvcLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';

export const P = 'backup.vluwte.nl';

/** What the cluster holds for the fuzz: a namespace with PVCs in it, a Longhorn StorageClass and another. */
export interface FuzzWorld {
  readonly namespace: string;
  readonly longhornClass: string;
  readonly otherClass: string;
}

/** Builds one body (on the world's names). */
export type Recipe = (world: FuzzWorld) => FuzzBody;

export interface FuzzBody {
  readonly kind: string;
  readonly path: '/validate' | '/mutate';
  readonly contentType: string;
  readonly body: Buffer;
  /** A well-formed review of a PVC: must be answered 200. */
  readonly wellFormed: boolean;
}

/** The PVC's backup labels (from the label schema), a key of the job's and a near-miss. */
const LABEL_KEYS = [...pvcLabelKeys(P), `${P}/managed`, `${P}/enabeld`];
const VALUES = [
  'true',
  'false',
  'data',
  '8',
  '08',
  '0',
  '-1',
  '5',
  '6',
  '2100',
  '2400',
  '2026-02-30',
  '2031-01-01',
  '',
];
const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
];
const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;

/** Any code point, lone surrogates, NUL and line separators: text JSON carries but labels never hold. */
const oddText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('\ud800', 'a\udfffb', '\u0000', 'true\u0000', '\u2028', '\ufeff8', '８', 'ｔｒｕｅ'),
);

const labelsArbitrary = fc.dictionary(
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...LABEL_KEYS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((suffix) => `${P}/${suffix}`) },
    { weight: 1, arbitrary: oddText.map((suffix) => `${P}/${suffix}`) },
  ),
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...VALUES) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
    { weight: 1, arbitrary: oddText },
  ),
  { maxKeys: 12 },
);

// Stand-ins in the recipes for the world's names, replaced when a body is built.
const WORLD_NAMESPACE = '<world namespace>';
const LONGHORN_CLASS = '<longhorn class>';
const OTHER_CLASS = '<other class>';

function inWorld(recipe: ReviewRecipe, world: FuzzWorld): ReviewRecipe {
  const storageClassName =
    recipe.storageClassName === LONGHORN_CLASS
      ? world.longhornClass
      : recipe.storageClassName === OTHER_CLASS
        ? world.otherClass
        : recipe.storageClassName;
  return {
    ...recipe,
    namespace: recipe.namespace === WORLD_NAMESPACE ? world.namespace : recipe.namespace,
    storageClassName,
  };
}

interface ReviewRecipe {
  readonly uid: string;
  readonly operation: (typeof OPERATIONS)[number];
  readonly namespace: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly oldLabels: Record<string, string>;
  readonly storageClassName: string | null | undefined;
  readonly generateName: boolean;
}

const reviewRecipe: fc.Arbitrary<ReviewRecipe> = fc.record({
  uid: fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 60 })),
  operation: fc.constantFrom(...OPERATIONS),
  namespace: fc.oneof(
    { weight: 10, arbitrary: fc.constant(WORLD_NAMESPACE) },
    { weight: 2, arbitrary: fc.constantFrom('team-a', 'default') },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 70 }) },
  ),
  name: fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom('data', 'data-queue-1', 'logs') },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 70 }) },
  ),
  labels: labelsArbitrary,
  oldLabels: labelsArbitrary,
  storageClassName: fc.oneof(
    { weight: 6, arbitrary: fc.constant(LONGHORN_CLASS) },
    { weight: 1, arbitrary: fc.constantFrom(OTHER_CLASS, 'missing', '', null, undefined) },
  ),
  generateName: fc.boolean(),
});

function pvc(recipe: ReviewRecipe, labels: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      ...(recipe.generateName ? { generateName: `${recipe.name}-` } : { name: recipe.name }),
      namespace: recipe.namespace,
      uid: '3f1c1b0e-0000-4000-8000-000000000001',
      labels,
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
      ...(recipe.storageClassName === undefined ? {} : { storageClassName: recipe.storageClassName }),
    },
  };
}

/** The review as the apiserver sends it (object and oldObject as the operation has them). */
function review(world: FuzzWorld, given: ReviewRecipe, labels = given.labels): Record<string, unknown> {
  const recipe = inWorld(given, world);
  const withObject = recipe.operation === 'CREATE' || recipe.operation === 'UPDATE';
  const withOld = recipe.operation === 'UPDATE' || recipe.operation === 'DELETE';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: recipe.uid,
      kind: { group: '', version: 'v1', kind: 'PersistentVolumeClaim' },
      resource: { group: '', version: 'v1', resource: 'persistentvolumeclaims' },
      operation: recipe.operation,
      namespace: recipe.namespace,
      ...(recipe.generateName ? {} : { name: recipe.name }),
      userInfo: { username: 'fuzz', groups: ['system:authenticated'] },
      ...(withObject ? { object: pvc(recipe, labels) } : {}),
      ...(withOld ? { oldObject: pvc(recipe, recipe.oldLabels) } : {}),
      dryRun: false,
    },
  };
}

/** Nine in ten from min..usual, one in ten from usual..max. */
function mostlySmall(min: number, usual: number, max: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 9, arbitrary: fc.integer({ min, max: usual }) },
    { weight: 1, arbitrary: fc.integer({ min: usual, max }) },
  );
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path (keys and indexes) of a JSON value, parents before children. */
function pathsOf(value: unknown, prefix: (string | number)[] = [], into: (string | number)[][] = []) {
  if (typeof value !== 'object' || value === null) return into;
  for (const key of Array.isArray(value) ? value.keys() : Object.keys(value)) {
    const path = [...prefix, key];
    into.push(path);
    pathsOf((value as Record<string | number, unknown>)[key], path, into);
  }
  return into;
}

interface Mutation {
  readonly at: number;
  readonly action: 'set' | 'delete';
  readonly value: Json;
}

function mutate(target: Record<string, unknown>, mutation: Mutation): void {
  const paths = pathsOf(target);
  const path = paths[mutation.at % paths.length];
  if (path === undefined) return;
  let parent = target as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (mutation.action === 'delete' && !Array.isArray(parent)) delete parent[last];
  else parent[last] = mutation.value;
}

const strangeValue: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(null, true, false, 0, -1, 1e308, -0, '', [], {}, 'CREATE', 'PersistentVolumeClaim'),
  fc.string({ maxLength: 200 }),
);

const text = (value: unknown) => Buffer.from(JSON.stringify(value));
const json = 'application/json';
const pathArbitrary = fc.constantFrom<'/validate' | '/mutate'>('/validate', '/mutate');

/** Labels `count` long, of the style asked: unknown backup labels, foreign keys, or near-misses. */
function hugeLabels(count: number, style: number): Record<string, string> {
  const labels: Record<string, string> = { [`${P}/enabled`]: 'true' };
  for (let index = 0; index < count; index++) {
    const key =
      style === 0 ? `${P}/x${index}` : style === 1 ? `example.com/key-${index}` : `${P}/retian${index % 10}${index}`;
    labels[key] = String(index);
  }
  return labels;
}

const kinds: fc.Arbitrary<Recipe>[] = [
  // Random JSON: anything at all, on either path.
  fc
    .record({ path: pathArbitrary, value: fc.jsonValue({ maxDepth: 5 }) })
    .map(({ path, value }) => (_world: FuzzWorld) => ({
      kind: 'random-json',
      path,
      contentType: json,
      body: text(value),
      wellFormed: false,
    })),
  // Well-formed reviews with random backup labels: always 200.
  fc.record({ path: pathArbitrary, recipe: reviewRecipe }).map(({ path, recipe }) => (world: FuzzWorld) => ({
    kind: 'review',
    path,
    contentType: json,
    body: text(review(world, recipe)),
    wellFormed: true,
  })),
  // A real review with a few fields set to other values (wrong types included) or removed.
  fc
    .record({
      path: pathArbitrary,
      recipe: reviewRecipe,
      mutations: fc.array(
        fc.record({ at: fc.nat(), action: fc.constantFrom<'set' | 'delete'>('set', 'delete'), value: strangeValue }),
        { minLength: 1, maxLength: 4 },
      ),
    })
    .map(({ path, recipe, mutations }) => (world: FuzzWorld) => {
      const body = review(world, recipe);
      for (const mutation of mutations) mutate(body, mutation);
      return { kind: 'mutated-review', path, contentType: json, body: text(body), wellFormed: false };
    }),
  // Huge label maps (up to 20,000 labels).
  fc
    .record({
      path: pathArbitrary,
      recipe: reviewRecipe,
      count: mostlySmall(100, 2_000, 20_000),
      style: fc.integer({ min: 0, max: 2 }),
    })
    .map(({ path, recipe, count, style }) => (world: FuzzWorld) => ({
      kind: 'huge-labels',
      path,
      contentType: json,
      body: text(review(world, { ...recipe, operation: 'CREATE' }, hugeLabels(count, style))),
      wellFormed: recipe.uid !== '',
    })),
  // Long keys and values (up to 1 MB) in the places the webhook reads.
  fc
    .record({
      path: pathArbitrary,
      recipe: reviewRecipe,
      length: mostlySmall(64, 20_000, 1_000_000),
      where: fc.constantFrom('label-key', 'backup-label-key', 'label-value', 'name', 'namespace', 'uid', 'class'),
    })
    .map(({ path, recipe, length, where }) => (world: FuzzWorld) => {
      const long = 'k'.repeat(length);
      const changed: ReviewRecipe = {
        ...recipe,
        operation: 'CREATE',
        generateName: false,
        ...(where === 'name' ? { name: long } : {}),
        ...(where === 'namespace' ? { namespace: long } : {}),
        ...(where === 'uid' ? { uid: long } : {}),
        ...(where === 'class' ? { storageClassName: long } : {}),
      };
      const labels = {
        ...recipe.labels,
        ...(where === 'label-key' ? { [long]: 'v' } : {}),
        ...(where === 'backup-label-key' ? { [`${P}/${long}`]: 'v' } : {}),
        ...(where === 'label-value' ? { [`${P}/name`]: long } : {}),
      };
      return {
        kind: 'long-key',
        path,
        contentType: json,
        body: text(review(world, changed, labels)),
        wellFormed: true,
      };
    }),
  // Deep nesting, in the labels, the kind, the object or the whole body.
  fc
    .record({
      path: pathArbitrary,
      recipe: reviewRecipe,
      depth: mostlySmall(20, 300, 100_000),
      where: fc.constantFrom('labels', 'kind', 'object', 'body'),
      array: fc.boolean(),
    })
    .map(({ path, recipe, depth, where, array }) => (world: FuzzWorld) => {
      const deep = array ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      // A marker string in the review, replaced by the deep text.
      const marker = '\u0000deep\u0000';
      const shell = review(world, { ...recipe, operation: 'CREATE' }) as { request: Record<string, unknown> };
      if (where === 'kind') shell.request.kind = marker;
      if (where === 'object') shell.request.object = marker;
      if (where === 'labels')
        (shell.request.object as { metadata: Record<string, unknown> }).metadata.labels = { [`${P}/name`]: marker };
      const body = where === 'body' ? deep : JSON.stringify(shell).replace(JSON.stringify(marker), () => deep);
      return { kind: 'deep', path, contentType: json, body: Buffer.from(body), wellFormed: false };
    }),
  // Prototype keys as label keys, metadata and request fields, and at the top.
  fc
    .record({
      path: pathArbitrary,
      recipe: reviewRecipe,
      key: fc.constantFrom(...PROTOTYPE_KEYS),
      where: fc.constantFrom('labels', 'backup-label', 'metadata', 'request', 'top', 'spec'),
      value: fc.oneof(
        fc.constantFrom<Json>('true', 'x', { polluted: 'yes' }, { prototype: { polluted: 'yes' } }, [], null, 1),
        strangeValue,
      ),
    })
    .map(({ path, recipe, key, where, value }) => (world: FuzzWorld) => {
      type Review = { request: Record<string, unknown> & { object: { metadata: Labelled; spec: object } } };
      type Labelled = Record<string, unknown> & { labels: object };
      const body = review(world, { ...recipe, operation: 'CREATE', generateName: false }) as unknown as Review;
      const at: object =
        where === 'top'
          ? body
          : where === 'request'
            ? body.request
            : where === 'metadata'
              ? body.request.object.metadata
              : where === 'spec'
                ? body.request.object.spec
                : body.request.object.metadata.labels;
      // A computed key makes an own property even for __proto__, so JSON.stringify writes it.
      Object.defineProperty(at, where === 'backup-label' ? `${P}/${key}` : key, {
        value,
        enumerable: true,
        configurable: true,
        writable: true,
      });
      return { kind: 'prototype-key', path, contentType: json, body: text(body), wellFormed: false };
    }),
  // Invalid UTF-8: bytes no UTF-8 text has, put into a review's text.
  fc
    .record({
      path: pathArbitrary,
      recipe: reviewRecipe,
      insertions: fc.array(
        fc.record({ at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4, min: 0x80, max: 0xff }) }),
        { minLength: 1, maxLength: 6 },
      ),
    })
    .map(({ path, recipe, insertions }) => (world: FuzzWorld) => {
      let body = text(review(world, recipe));
      for (const { at, bytes } of insertions) {
        const index = at % body.length;
        body = Buffer.concat([body.subarray(0, index), bytes, body.subarray(index)]);
      }
      return { kind: 'invalid-utf8', path, contentType: json, body, wellFormed: false };
    }),
  // A review cut short (the Content-Length says what was sent).
  fc
    .record({ path: pathArbitrary, recipe: reviewRecipe, cut: fc.double({ min: 0, max: 1, noNaN: true }) })
    .map(({ path, recipe, cut }) => (world: FuzzWorld) => {
      const whole = text(review(world, recipe));
      return {
        kind: 'truncated',
        path,
        contentType: json,
        body: whole.subarray(0, Math.floor(whole.length * cut)),
        wellFormed: false,
      };
    }),
  // A review under another Content-Type.
  fc
    .record({
      path: pathArbitrary,
      recipe: reviewRecipe,
      contentType: fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=latin1',
        'application/yaml',
        '',
      ),
    })
    .map(({ path, recipe, contentType }) => (world: FuzzWorld) => ({
      kind: 'content-type',
      path,
      contentType,
      body: text(review(world, recipe)),
      wellFormed: false,
    })),
];

/**
 * How often each kind comes, per 200 bodies: the large ones (tens of kB to 1 MB) are rare, so the
 * run's bytes stay near 4 kB a body on average and 100,000 bodies fit in a few minutes.
 */
const WEIGHTS = [40, 50, 50, 3, 3, 8, 16, 12, 12, 6];

const bodyArbitrary = fc.oneof(...kinds.map((arbitrary, index) => ({ weight: WEIGHTS[index] ?? 1, arbitrary })));

/**
 * The recipes of batch `batch` of the run `seed` (each batch has a seed of its own, so one body is
 * replayed by its batch alone); call a recipe to build its body.
 */
export function fuzzBatch(seed: number, batch: number, size: number): Recipe[] {
  return fc.sample(bodyArbitrary, { seed: (seed ^ Math.imul(batch + 1, 0x9e3779b1)) | 0, numRuns: size });
}

/** The uid a body's review carries when the body is JSON, read the way the webhook reads it. */
export function uidOf(body: Buffer): unknown {
  try {
    return (JSON.parse(body.toString('utf8')) as { request?: { uid?: unknown } }).request?.uid;
  } catch {
    return undefined;
  }
}
