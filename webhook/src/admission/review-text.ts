// One pass over a review's JSON text before it is parsed, in two jobs that share the pass:
// - depth: a body nested a million levels deep costs JSON.parse about half a second and overflows
//   the stack of any recursive walk afterwards, so it is refused before either;
// - managedFields: the server-side-apply bookkeeping of request.object and request.oldObject is
//   left out of the parse. The webhook never reads it, and it repeats every label as an object of
//   its own (`"f:<key>":{}`): with many labels it is 40% of JSON.parse's work. Its text must still
//   close its strings and brackets; what is inside is not checked.
// Strings are skipped with indexOf (native code), not character by character.
// A text with at most MAX_JSON_DEPTH opening brackets skips the pass: it cannot nest deeper, and
// managedFields that few (an object per field) cost the parse less than the pass that would find
// them (the CREATE of a PVC with a dozen labels has about 55 brackets, an UPDATE carrying both
// objects about 99: the pass costs 2.5 µs on the first, parsing its managedFields 0.6 µs).

/** An AdmissionReview of a PVC nests about 12 levels (managedFields included); 100 leaves room. */
export const MAX_JSON_DEPTH = 100;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/** Depth of the keys of request.object.metadata: the review, request, object, metadata. */
const METADATA_KEY_DEPTH = 4;

export type ReviewTextScan =
  | { readonly tooDeep: true }
  | {
      readonly tooDeep: false;
      /** [start, end) of each managedFields array of the reviewed objects, brackets included. */
      readonly managedFields: readonly (readonly [number, number])[];
    };

/** The index of the quote that closes the string opened at `open`, or -1 when it is never closed. */
function closingQuote(text: string, open: number): number {
  for (let from = open + 1; ;) {
    const quote = text.indexOf('"', from);
    if (quote === -1) return -1;
    // Escaped when an odd run of backslashes stands before it.
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    from = quote + 1;
  }
}

function isWhiteSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** True when text[from, to) is a colon with only JSON white space around it. */
function onlyColonBetween(text: string, from: number, to: number): boolean {
  let colons = 0;
  for (let index = from; index < to; index++) {
    const code = text.charCodeAt(index);
    if (code === COLON) colons++;
    else if (!isWhiteSpace(code)) return false;
  }
  return colons === 1;
}

/** What the keys leading to a container must be, by its depth, for it to be a reviewed object's metadata. */
function isMetadataPathKey(text: string, keyStart: number, keyEnd: number, depth: number): boolean {
  const key = text.slice(keyStart + 1, keyEnd);
  if (depth === 2) return key === 'request';
  if (depth === 3) return key === 'object' || key === 'oldObject';
  return depth === METADATA_KEY_DEPTH && key === 'metadata';
}

/**
 * The depth check (brackets outside strings deeper than `limit`; the text need not be valid JSON)
 * and where the reviewed objects' managedFields arrays are.
 */
export function scanReviewText(text: string, limit: number = MAX_JSON_DEPTH): ReviewTextScan {
  const managedFields: [number, number][] = [];
  let depth = 0;
  // The last string closed, for the key of a container opened after it.
  let stringStart = -1;
  let stringEnd = -1;
  // How many containers from the top are on the path review -> request -> object -> metadata.
  let onPath = 0;
  // Inside a managedFields array: its start and the depth its closing bracket returns to.
  let skipStart = -1;
  let skipDepth = -1;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      stringStart = index;
      index = closingQuote(text, index);
      if (index === -1) break;
      stringEnd = index;
    } else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      if (++depth > limit) return { tooDeep: true };
      // A string is the key of the first container after it at most: forgetting it here keeps
      // the scan between a string and a bracket from being repeated (linear whatever the text).
      const keyed = skipStart === -1 && stringEnd !== -1 && onlyColonBetween(text, stringEnd + 1, index);
      const keyEnd = stringEnd;
      stringEnd = -1;
      if (skipStart !== -1) continue;
      if (
        depth === 1 ||
        (onPath === depth - 1 &&
          code === OPEN_OBJECT &&
          keyed &&
          depth <= METADATA_KEY_DEPTH &&
          isMetadataPathKey(text, stringStart, keyEnd, depth))
      )
        onPath = depth;
      else if (
        code === OPEN_ARRAY &&
        onPath === METADATA_KEY_DEPTH &&
        depth === METADATA_KEY_DEPTH + 1 &&
        keyed &&
        keyEnd - stringStart === 'managedFields'.length + 1 &&
        text.startsWith('managedFields', stringStart + 1)
      ) {
        skipStart = index;
        skipDepth = depth - 1;
      }
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      depth--;
      if (onPath > depth) onPath = depth;
      if (skipStart !== -1 && depth === skipDepth) {
        managedFields.push([skipStart, index + 1]);
        skipStart = -1;
      }
    }
  }
  return { tooDeep: false, managedFields };
}

/** The text with each managedFields array replaced by an empty one: what is parsed. */
export function withoutManagedFields(text: string, managedFields: readonly (readonly [number, number])[]): string {
  if (managedFields.length === 0) return text;
  let kept = '';
  let from = 0;
  for (const [start, end] of managedFields) {
    kept += `${text.slice(from, start)}[]`;
    from = end;
  }
  return kept + text.slice(from);
}

/** True when brackets outside strings nest deeper than `limit` (the text need not be valid JSON). */
export function nestsDeeperThan(text: string, limit: number): boolean {
  return scanReviewText(text, limit).tooDeep;
}

const OPENING_BRACKETS = ['{', '['] as const;

/** True when the text holds at most `limit` opening brackets, inside strings or not: then it cannot nest deeper. */
export function openingBracketsAtMost(text: string, limit: number): boolean {
  let count = 0;
  for (const bracket of OPENING_BRACKETS) {
    for (let index = text.indexOf(bracket); index !== -1; index = text.indexOf(bracket, index + 1))
      if (++count > limit) return false;
  }
  return true;
}

/**
 * The text the webhook parses, or undefined when it nests deeper than `limit`: the text itself when
 * it has too few brackets to be deep, else the text without the reviewed objects' managedFields.
 */
export function reviewTextToParse(text: string, limit: number = MAX_JSON_DEPTH): string | undefined {
  if (openingBracketsAtMost(text, limit)) return text;
  const scan = scanReviewText(text, limit);
  return scan.tooDeep ? undefined : withoutManagedFields(text, scan.managedFields);
}
