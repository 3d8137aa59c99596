// The baseline process: Node starts, reads the file and parses every YAML document into plain
// objects (the same parser and options `check` uses), then exits. `check` does this plus judging.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const docs = parseAllDocuments(readFileSync(process.argv[2] ?? '', 'utf8'), { version: '1.1' });
const objects = (Array.isArray(docs) ? docs : []).map((doc) => doc.toJS() as unknown);
process.stdout.write(`${objects.length}\n`);
