// The Longhorn versions the product supports (README, "Supported versions"), field by field: every
// field of RecurringJob, Volume, Snapshot and Backup the product reads or writes (the spec and
// status of shared/src/longhorn/types.ts, read with the TypeScript compiler so that a field added
// there is checked too) has the same schema in Longhorn 1.11.3's and 1.12.1's CRDs, and the
// literals the product uses are in the CRDs' enums. Where the two files differ at all in these
// kinds is listed below, and none of it is a field the product touches. The CRD files live
// outside the repository (LONGHORN_CRDS_DIR, default ../shared/longhorn).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { longhornCrdsFile, repoRoot } from '../../harness/paths.ts';
import { LONGHORN_VERSIONS } from '../../harness/version-matrix.ts';

/** Oldest first. */
const VERSIONS = [...LONGHORN_VERSIONS].reverse();

const KINDS = ['RecurringJob', 'Volume', 'Snapshot', 'Backup'] as const;

/** Everything 1.12.1 has in these kinds that 1.11.3 lacks (and nothing else differs). */
const ADDED_IN_1_12 = [
  'Snapshot status.checksumCalculatedAt',
  'Snapshot status.requestedTime',
  'Volume spec.dataLayout',
  'Volume spec.dataLayout.dataChunks',
  'Volume spec.dataLayout.mode',
  'Volume spec.dataLayout.parityChunks',
  'Volume spec.dataLayout.stripSizeKB',
  'Volume spec.dataLayout.type',
  'Volume spec.engineNodeID',
  'Volume spec.snapshotHashingRequestedAt',
  'Volume status.currentEngineNodeID',
  'Volume status.lastAutoSalvagedAt',
  'Volume status.lastOnDemandSnapshotHashingCompleteAt',
  'Volume status.switchoverState',
];

interface SchemaNode {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  [key: string]: unknown;
}

interface Crd {
  spec: {
    names: { kind: string };
    versions: { name: string; schema: { openAPIV3Schema: SchemaNode }; additionalPrinterColumns?: unknown[] }[];
  };
}

function loadCrds(version: string): Map<string, Crd> {
  const crds = parseAllDocuments(readFileSync(longhornCrdsFile(version), 'utf8'))
    .map((doc) => doc.toJS() as (Crd & { kind?: string }) | null)
    .filter((doc): doc is Crd & { kind: string } => doc?.kind === 'CustomResourceDefinition');
  return new Map(crds.map((crd) => [crd.spec.names.kind, crd]));
}

const crds = new Map<string, Map<string, Crd>>(VERSIONS.map((version) => [version, loadCrds(version)]));

function schemaOf(version: string, kind: string): SchemaNode {
  const v1beta2 = crds
    .get(version)
    ?.get(kind)
    ?.spec.versions.find((v) => v.name === 'v1beta2');
  assert.ok(v1beta2, `Longhorn ${version} has ${kind} v1beta2`);
  return v1beta2.schema.openAPIV3Schema;
}

/** `spec.kubernetesStatus.pvcName` -> that node of the schema, if the schema has it. */
function nodeAt(schema: SchemaNode, path: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const name of path.split('.')) node = node?.properties?.[name];
  return node;
}

/** A node's own constraints: its children and every description left out. */
function ownConstraints(node: SchemaNode): unknown {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'description')
        .map(([key, inner]) => [key, strip(inner)]),
    );
  };
  const { properties: _children, ...own } = node;
  return strip(own);
}

/** Every property path below a schema node (`spec.x`, `spec.x.y`), for the whole-file comparison. */
function allPaths(node: SchemaNode, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    out.set(path, JSON.stringify(ownConstraints(child)));
    for (const [inner, constraints] of allPaths(child, path)) out.set(inner, constraints);
  }
  return out;
}

// --- the fields the product uses, from its own types ---------------------------------------------

interface ProductField {
  readonly path: string;
  /** The string literals the product's type allows, when it is a union of them. */
  readonly literals: readonly string[];
}

function productFields(): Map<string, ProductField[]> {
  const typesFile = join(repoRoot, 'shared', 'src', 'longhorn', 'types.ts');
  const program = ts.createProgram([typesFile], { strict: true, noEmit: true, allowImportingTsExtensions: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(typesFile);
  assert.ok(source, typesFile);
  const declared = (name: string): ts.Type => {
    const declaration = source.statements.find(
      (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
    );
    assert.ok(declaration, `${name} is declared in ${typesFile}`);
    return checker.getTypeAtLocation(declaration);
  };
  const isNested = (type: ts.Type): boolean =>
    (type.flags & ts.TypeFlags.Object) !== 0 &&
    !checker.isArrayType(type) &&
    checker.getIndexInfosOfType(type).length === 0 &&
    checker.getPropertiesOfType(type).length > 0;
  const literalsOf = (type: ts.Type): string[] =>
    (type.isUnion() ? type.types : [type])
      .filter((t): t is ts.StringLiteralType => t.isStringLiteral())
      .map((t) => t.value);

  const walk = (type: ts.Type, prefix: string, out: ProductField[]): void => {
    for (const property of checker.getPropertiesOfType(type)) {
      const path = `${prefix}.${property.name}`;
      const propertyType = checker.getNonNullableType(checker.getTypeOfSymbol(property));
      out.push({ path, literals: literalsOf(propertyType) });
      if (isNested(propertyType)) walk(propertyType, path, out);
    }
  };
  return new Map(
    KINDS.map((kind) => {
      const fields: ProductField[] = [];
      for (const top of ['spec', 'status']) {
        const property = checker.getPropertyOfType(declared(kind), top);
        if (property) walk(checker.getNonNullableType(checker.getTypeOfSymbol(property)), top, fields);
      }
      return [kind, fields];
    }),
  );
}

const fieldsByKind = productFields();

describe(`Longhorn ${VERSIONS.join(' and ')}: the CRD fields the product reads and writes`, () => {
  test('the product types name fields of all four kinds', (t) => {
    for (const kind of KINDS) assert.ok((fieldsByKind.get(kind)?.length ?? 0) > 0, kind);
    for (const [kind, fields] of fieldsByKind) t.diagnostic(`${kind}: ${fields.map(({ path }) => path).join(' ')}`);
  });

  for (const kind of KINDS) {
    test(`${kind}: every field the product uses is in both versions, with the same schema`, () => {
      for (const { path, literals } of fieldsByKind.get(kind) ?? []) {
        const [older, newer] = VERSIONS.map((version) => nodeAt(schemaOf(version, kind), path));
        assert.ok(older, `${kind} ${path} is missing from Longhorn ${VERSIONS[0]}'s CRD`);
        assert.ok(newer, `${kind} ${path} is missing from Longhorn ${VERSIONS[1]}'s CRD`);
        assert.deepEqual(ownConstraints(older), ownConstraints(newer), `${kind} ${path} differs between the versions`);
        const allowed = newer.enum;
        if (allowed && literals.length > 0) {
          const outside = literals.filter((literal) => literal !== '' && !allowed.includes(literal));
          assert.deepEqual(
            outside,
            [],
            `${kind} ${path}: the product's values are outside the CRD's enum ${JSON.stringify(allowed)}`,
          );
        }
      }
    });
  }

  test('where the two versions differ at all in these kinds: only fields 1.12 adds, none the product uses', () => {
    const differences: string[] = [];
    for (const kind of KINDS) {
      const [older, newer] = VERSIONS.map((version) => allPaths(schemaOf(version, kind)));
      for (const path of new Set([...(older?.keys() ?? []), ...(newer?.keys() ?? [])])) {
        if (older?.get(path) === newer?.get(path)) continue;
        assert.ok(!older?.has(path), `${kind} ${path} changed (not only added) in 1.12`);
        differences.push(`${kind} ${path}`);
      }
    }
    assert.deepEqual(differences.sort(), [...ADDED_IN_1_12].sort());
    const used = new Set([...fieldsByKind].flatMap(([kind, fields]) => fields.map(({ path }) => `${kind} ${path}`)));
    assert.deepEqual(
      differences.filter((difference) => used.has(difference)),
      [],
    );
  });

  test('scope, names, served versions and subresources are the same in both (printer columns aside)', () => {
    for (const kind of KINDS) {
      const [older, newer] = VERSIONS.map((version) => {
        const crd = crds.get(version)?.get(kind);
        assert.ok(crd, `Longhorn ${version} has the ${kind} CRD`);
        // Printer columns only change `kubectl get` (1.12 adds Volume's Switchover column).
        return {
          ...crd.spec,
          versions: crd.spec.versions.map(({ schema: _schema, additionalPrinterColumns: _columns, ...rest }) => rest),
        };
      });
      assert.deepEqual(older, newer, kind);
    }
  });
});
