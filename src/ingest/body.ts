// An HTTP ingest body into messages, each with its own raw text, so every item is decoded, dead-lettered and
// reported exactly like one Kafka message: NDJSON (one message a line) or a JSON document (an array of messages
// or one message). The document is parsed only to check it is JSON; items keep their keys as data (no prototype).
import { InputError } from '../domain/index.js';
import type { RawMessage } from './messages.js';

export type BodyFormat = 'json' | 'ndjson';

export function bodyFormat(contentType: string | undefined): BodyFormat {
  return /^application\/json\b/i.test(contentType ?? '') ? 'json' : 'ndjson';
}

/** The text of each top-level element of a JSON array already known to be valid JSON. */
export function arrayItems(json: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth === 1) start = i + 1;
    } else if ((c === 0x5d || c === 0x7d) && --depth === 0) {
      const last = json.slice(start, i).trim();
      if (last !== '') items.push(last);
      break;
    } else if (c === 0x2c && depth === 1) {
      items.push(json.slice(start, i).trim());
      start = i + 1;
    }
  }
  return items;
}

/** The messages of a body; an empty body or a JSON document that does not parse is the caller's error (400). */
export function bodyMessages(body: string | undefined, format: BodyFormat, route: string): RawMessage[] {
  if (body === undefined || body.trim() === '') throw new InputError('the body is empty: send a JSON array, one JSON object, or NDJSON', 'bad_input');
  if (format === 'ndjson') {
    return body.split('\n').map((line, i) => ({ line: line.trim(), i })).filter((x) => x.line !== '')
      .map(({ line, i }) => ({ value: line, topic: route, partition: -1, offset: `line ${i + 1}` }));
  }
  let doc: unknown;
  try {
    doc = JSON.parse(body); // V8 parses without recursion; "__proto__" becomes an own key, never a prototype
  } catch (error) {
    throw new InputError(`the body is not valid JSON: ${(error as Error).message}`, 'bad_input');
  }
  const items = Array.isArray(doc) ? arrayItems(body) : [body.trim()];
  return items.map((value, i) => ({ value, topic: route, partition: -1, offset: `item ${i}` }));
}
