// The ConfigMap's YAML as a plain tree of strings, lists and maps. Scalars are read with the
// failsafe schema, so every scalar stays the text that was written: `start: 0030` is "0030"
// (the core schema would make it the number 30) and `retain: 1e2` is refused like the label
// value would be. Only an unquoted empty value, `~` or `null` is null.

import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Document } from 'yaml';

export type YamlTree = string | null | readonly YamlTree[] | ReadonlyMap<string, YamlTree>;

export type YamlTreeRead =
  { readonly ok: true; readonly tree: YamlTree } | { readonly ok: false; readonly errors: readonly string[] };

const NULL_WORDS = ['', '~', 'null', 'Null', 'NULL'];

/** Keys are plain words here; a list or mapping as a key is named so the unknown-key error can say so. */
function keyText(key: YamlTree): string {
  if (key === null) return '';
  return typeof key === 'string' ? key : Array.isArray(key) ? '[a list]' : '{a mapping}';
}

function toTree(node: unknown, doc: Document): YamlTree {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return toTree(node.resolve(doc), doc);
  if (isScalar(node)) {
    const text = String(node.value);
    return node.type === Scalar.PLAIN && NULL_WORDS.includes(text) ? null : text;
  }
  if (isSeq(node)) return node.items.map((item) => toTree(item, doc));
  if (isMap(node)) {
    return new Map(node.items.map((pair) => [keyText(toTree(pair.key, doc)), toTree(pair.value, doc)]));
  }
  throw new Error(`unexpected YAML node of type ${typeof node}`);
}

export function readYamlTree(text: string): YamlTreeRead {
  const lines = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', prettyErrors: false, lineCounter: lines });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((error) => {
        const { line, col } = lines.linePos(error.pos[0]);
        return `${error.message} (line ${line}, column ${col})`;
      }),
    };
  }
  return { ok: true, tree: toTree(doc.contents, doc) };
}
