// Multi-document YAML (and JSON, which YAML reads too) -> the Kubernetes objects in it, `List`
// items included, each with a way back to its lines. Parsed as YAML 1.1, as kubectl does, so a
// label value written `true` or `0030` without quotes is seen for what it is: not a string.

import { isMap, isPair, isScalar, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import type { InputProblem, Position } from './findings.ts';
import type { InputText } from './read-inputs.ts';

type PathItem = string | number;

/** One object of the input and the lines of the document it is in. */
export interface ManifestObject {
  readonly kind: string;
  readonly value: Record<string, unknown>;
  readonly source: string;
  readonly document: number;
  /** Where, at `path` below the object (the deepest part of it that exists). */
  positionOf(path: readonly PathItem[]): Position;
  /** The text written for the scalar at `path` (e.g. `0030` for what YAML 1.1 reads as 24). */
  sourceTextOf(path: readonly PathItem[]): string | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function makeObject(
  input: InputText,
  index: number,
  doc: Document,
  lines: LineCounter,
  base: readonly PathItem[],
  value: Record<string, unknown>,
): ManifestObject {
  const lineOf = (node: unknown): number | null => {
    const range = (node as Node | undefined)?.range;
    return range === undefined || range === null ? null : lines.linePos(range[0]).line;
  };
  return {
    kind: typeof value.kind === 'string' ? value.kind : '',
    value,
    source: input.name,
    document: index,
    positionOf(path) {
      for (let depth = path.length; depth >= 0; depth--) {
        const parentPath = [...base, ...path.slice(0, depth - 1)];
        const last = path[depth - 1];
        // A map key's own line (its value may be empty or on the next line).
        if (depth > 0 && typeof last === 'string') {
          const parent = doc.getIn(parentPath, true);
          const pair = isMap(parent)
            ? parent.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === last)
            : undefined;
          const line = lineOf(pair?.key);
          if (line !== null) return { source: input.name, document: index, line };
          continue;
        }
        const line = lineOf(
          depth === 0 && base.length === 0 ? doc.contents : doc.getIn([...base, ...path.slice(0, depth)], true),
        );
        if (line !== null) return { source: input.name, document: index, line };
      }
      return { source: input.name, document: index, line: null };
    },
    sourceTextOf(path) {
      const node = doc.getIn([...base, ...path], true);
      return isScalar(node) && typeof node.source === 'string' ? node.source : undefined;
    },
  };
}

export function manifestObjects(input: InputText): { objects: ManifestObject[]; problems: InputProblem[] } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(input.text, {
    version: '1.1',
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: false,
  });
  const objects: ManifestObject[] = [];
  const problems: InputProblem[] = [];
  if (!Array.isArray(docs)) return { objects, problems };
  docs.forEach((doc, offset) => {
    const index = offset + 1;
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        problems.push({
          source: input.name,
          line: lines.linePos(error.pos[0]).line,
          message: `is not valid YAML (document ${index}): ${error.message.split('\n')[0] ?? ''}`,
        });
      }
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (error) {
      problems.push({
        source: input.name,
        line: null,
        message: `cannot be read (document ${index}): ${error instanceof Error ? error.message : String(error)}`,
      });
      return;
    }
    if (!isRecord(value)) return;
    if (
      value.kind === 'List' ||
      (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items))
    ) {
      const items = Array.isArray(value.items) ? value.items : [];
      items.forEach((item: unknown, position) => {
        if (isRecord(item)) objects.push(makeObject(input, index, doc, lines, ['items', position], item));
      });
      return;
    }
    objects.push(makeObject(input, index, doc, lines, [], value));
  });
  return { objects, problems };
}
