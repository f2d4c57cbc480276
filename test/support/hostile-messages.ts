// A seeded generator of hostile prediction messages for the ingest fuzz test: deep nesting, lone surrogates,
// huge and odd numbers, odd keys, odd timestamps, truncation. Each message comes with the verdict an independent
// reading of the contract gives — the row it must become, or the reasons it must be dead-lettered.
import { SeededRandom } from '../../src/stats/random.js';

export interface ExpectedRow {
  prediction_id: string;
  ts_ms: number;
  /** feature name → stored value: number (num_*), string (cat_*), null (missing_names) */
  features: Map<string, number | string | null>;
  prediction_num: number | null;
  prediction_str: string | null;
  metadata: string;
}

export interface HostileMessage {
  text: string;
  /** why it must be dead-lettered; empty when it must be stored as `row` */
  bad: string[];
  row?: ExpectedRow;
}

const DAY = 86_400_000;
const GOOD_NAMES = ['amount', 'country', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'ключ', '😀 emoji', 'a b', 'q"uote', 'back\\slash', 'x'.repeat(256), 'tëst'];
const BAD_NAMES: Array<[string, string]> = [['', 'empty name'], ['nul\u0000', 'control character'], ['new\nline', 'control character'], ['x'.repeat(257), 'long name'], ['k\udc00', 'lone surrogate']];
const NUMBERS: Array<[string, number]> = [['0', 0], ['-0', -0], ['1.5', 1.5], ['-2.25e-10', -2.25e-10], ['1e300', 1e300], ['-1.7976931348623157e308', -1.7976931348623157e308],
  ['9007199254740993', 9007199254740992], ['123456789012345678901234567890', 1.2345678901234568e29], ['0.1', 0.1], ['42', 42], ['2.2250738585072014e-308', 2.2250738585072014e-308]];
const STRINGS = ['DE', '', 'é', '😀', 'tab\there', 'nul\u0000in a value', 'quote"and\\back', 'x'.repeat(1000), '\u2028line sep', 'ﬀ'];

export class HostileGenerator {
  private readonly rnd: SeededRandom;

  constructor(seed: number, private readonly nowMs: number) {
    this.rnd = new SeededRandom(seed);
  }

  private chance(p: number): boolean {
    return this.rnd.next() < p;
  }

  private of<T>(list: readonly T[]): T {
    return list[this.rnd.int(list.length)];
  }

  /** A timestamp in some form, the epoch ms it names, or why it is refused. */
  private timestamp(): { text: string; ms?: number; bad?: string } {
    const ms = this.nowMs - 60_000 - this.rnd.int(30 * DAY);
    const s = Math.floor(ms / 1000);
    const forms: Array<() => { text: string; ms?: number; bad?: string }> = [
      () => ({ text: JSON.stringify(new Date(ms).toISOString()), ms }),
      () => ({ text: JSON.stringify(new Date(s * 1000).toISOString().replace('T', ' ').replace('.000Z', '')), ms: s * 1000 }),
      () => ({ text: JSON.stringify(new Date(s * 1000 + 7_200_000).toISOString().replace('.000Z', '+02:00')), ms: s * 1000 }),
      () => ({ text: String(s), ms: s * 1000 }),
      () => ({ text: JSON.stringify(String(s)), ms: s * 1000 }),
      () => ({ text: `${s}.25`, ms: s * 1000 + 250 }),
      () => ({ text: String(ms), ms }),
      () => ({ text: JSON.stringify(String(ms)), ms }),
      () => ({ text: '"1969-12-31T23:59:59Z"', bad: 'before 1970' }),
      () => ({ text: '0', bad: 'epoch 0 is outside the window' }),
      () => ({ text: '-1', bad: 'negative' }),
      () => ({ text: '"3000-01-01T00:00:00Z"', bad: 'after 2106' }),
      () => ({ text: String(ms * 1000), bad: 'microseconds' }),
      () => ({ text: String(this.nowMs + 2 * 3_600_000), bad: 'too far ahead' }),
      () => ({ text: String(this.nowMs - 100 * DAY), bad: 'older than retention' }),
      () => ({ text: '"2026-02-30T10:00:00Z"', bad: 'no such day' }),
      () => ({ text: '"yesterday"', bad: 'not a time' }),
      () => ({ text: 'null', bad: 'missing' }),
      () => ({ text: '1e309', bad: 'infinite' }),
    ];
    // two in three timestamps are good, so that enough whole messages are
    return (this.chance(0.67) ? forms[this.rnd.int(8)] : this.of(forms.slice(8)))();
  }

  private value(bad: string[]): { text: string; stored: number | string | null } {
    const kind = this.rnd.pick([5, 5, 1, 1, 0.4, 0.4]);
    if (kind === 0) {
      const [text, stored] = this.of(NUMBERS);
      const x = this.rnd.normal();
      return this.chance(0.3) ? { text: String(x), stored: x } : { text, stored };
    }
    if (kind === 1) {
      const s = this.of(STRINGS);
      return { text: JSON.stringify(s), stored: s };
    }
    if (kind === 2) return this.chance(0.5) ? { text: 'true', stored: 'true' } : { text: 'false', stored: 'false' };
    if (kind === 3) return { text: 'null', stored: null };
    if (kind === 4) {
      bad.push('infinite value');
      return { text: this.of(['1e309', '-1e309', '2e400']), stored: null };
    }
    bad.push('lone surrogate in a value');
    return { text: JSON.stringify('v\ud800'), stored: null };
  }

  /** The message at `i`; `truncate` allows cutting its text short (not in JSON arrays, where it breaks the body). */
  message(i: number, prefix: string, truncate: boolean): HostileMessage {
    const bad: string[] = [];
    let id = `${prefix}-${i}`;
    let idText = JSON.stringify(id);
    if (this.chance(0.1)) {
      idText = String(prefix.charCodeAt(0) * 1_000_000 + i);
      id = idText;
    } else if (this.chance(0.04)) {
      idText = JSON.stringify(`${id}\ud800`);
      bad.push('lone surrogate in the id');
    }
    const ts = this.timestamp();
    if (ts.bad) bad.push(`timestamp ${ts.bad}`);
    const features = new Map<string, number | string | null>();
    const entries: string[] = [];
    for (let k = this.rnd.int(7); k > 0; k--) {
      let name = this.of(GOOD_NAMES);
      if (this.chance(0.05)) {
        const [n, why] = this.of(BAD_NAMES);
        name = n;
        bad.push(`feature name: ${why}`);
      }
      if (features.has(name)) continue;
      const v = this.value(bad);
      features.set(name, v.stored);
      entries.push(`${JSON.stringify(name)}:${v.text}`);
    }
    let metadataText = '';
    let metadata = '';
    if (this.chance(0.4)) {
      const depth = this.chance(0.15) ? 60 + this.rnd.int(4000) : this.rnd.int(20);
      if (depth + 1 > 64) bad.push(`metadata nested ${depth + 1} levels`); // `depth` objects and the innermost one
      const leaf = { s: this.chance(0.2) ? 'm\ud800' : 'ok', n: 1.25 };
      metadataText = `${'{"k":'.repeat(depth)}${JSON.stringify(leaf)}${'}'.repeat(depth)}`;
      if (depth + 1 <= 64) metadata = JSON.stringify(JSON.parse(metadataText));
    }
    let predictionText = 'null';
    let prediction: number | string | null = null;
    if (this.chance(0.7)) {
      const v = this.value(bad);
      predictionText = v.text;
      prediction = v.stored;
    }
    let text = `{"model":"fuzz","model_version":"1","prediction_id":${idText},"timestamp":${ts.text},"features":{${entries.join(',')}},"prediction":${predictionText}${metadataText ? `,"metadata":${metadataText}` : ''}}`;
    if (truncate && this.chance(0.05)) {
      text = text.slice(0, 1 + this.rnd.int(text.length - 1));
      bad.push('truncated');
    } else if (this.chance(0.02)) {
      text = this.of(['[]', '"a string"', '42', '{}', 'null']);
      bad.push('not a prediction object');
    }
    if (bad.length) return { text, bad };
    const num = typeof prediction === 'number' ? prediction : null;
    return { text, bad, row: { prediction_id: id, ts_ms: ts.ms!, features, prediction_num: num, prediction_str: typeof prediction === 'string' ? prediction : null, metadata } };
  }
}
