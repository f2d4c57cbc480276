// The byte-level scan (src/ingest/scan.ts) against the full path (parseJsonMessage, then encodePrediction or
// encodeLabel) on a large seeded corpus of messages, canonical and odd (every trap of JSON.parse and of validation),
// and on issue 10's hostile corpus: for each message the scan either declines and writes nothing, or writes the very
// bytes the full path writes and returns the same event time (RowBinary, compared byte for byte). The bench's
// messages must not be declined.
import { describe, expect, it } from 'vitest';
import { parseJsonMessage, type DecodeOptions } from '../../../src/ingest/decode.js';
import { encodeLabel, encodePrediction } from '../../../src/ingest/encoded.js';
import { decodeMessages, type MessageKind } from '../../../src/ingest/messages.js';
import { skipJson } from '../../../src/ingest/json-skip.js';
import { DECLINED, DECLINED_RUN, scanRow } from '../../../src/ingest/scan.js';
import { rowEncoder } from '../../../src/store/insert-rows.js';
import { SeededRandom } from '../../../src/stats/random.js';
import { benchMessage } from '../../../bench/lib.js';
import { HostileGenerator } from '../../support/hostile-messages.js';

const NOW = Date.UTC(2026, 11, 1, 12);
const INGESTED_AT = Math.floor(NOW / 1000);
const MAX_BYTES = 1 << 16;

const TRAPS = ['ws', 'number', 'string', 'scalar', 'name', 'dupName', 'comma', 'time', 'id', 'model', 'features', 'version', 'metadata', 'extra', 'dupField', 'missing', 'escapedKey', 'truncate', 'bom', 'trailing'];

/** Random message text: mostly canonical, with every odd thing the scan must decline or read exactly. */
class OddMessages {
  private readonly rnd: SeededRandom;
  constructor(seed: number, private readonly kind: MessageKind) {
    this.rnd = new SeededRandom(seed);
  }
  /** Half the messages are plain (no trap, but all the valid variety), half have one trap at most: a single odd
   *  thing in a message the scan would read otherwise, so that a scan that let it through would be caught. */
  private odd = 1;
  private chance(p: number): boolean {
    return this.rnd.next() < p;
  }
  private trapKind = '';
  /** Whether the trap of this kind is set here (one message, one kind, once). */
  private trap(kind: string, p: number): boolean {
    if (this.odd === 0 || kind !== this.trapKind || !this.chance(p)) return false;
    this.odd = 0;
    return true;
  }
  private of<T>(list: readonly T[]): T {
    return list[this.rnd.int(list.length)];
  }
  /** Whitespace between tokens: none mostly, JSON's four, or (rarely) what JSON does not allow. */
  private ws(): string {
    if (this.chance(0.95)) return '';
    return this.trap('ws', 0.5) ? this.of(['\u00a0', '\f', '\v', '\u2028']) : this.of([' ', '\t', '\n', '\r', '  \n\t']);
  }
  number(): string {
    const r = this.rnd;
    const forms: Array<() => string> = [
      () => String(r.int(1000)),
      () => String((r.int(100_000) - 50_000) / 100),
      () => String(r.int(10 ** 6) / 10 ** (1 + r.int(6))),
      () => String(r.normal() * 10 ** (r.int(40) - 20)),
      () => String(Math.random() * 2 - 1),
      () => String(r.int(2 ** 53)),
      () => `${r.int(10)}.${'0'.repeat(r.int(20))}${r.int(10)}`,
      () => `${1 + r.int(9)}${'0'.repeat(r.int(25))}`,
      () => `${r.int(1000)}e${r.int(50) - 25}`,
      () => `${r.int(1000)}.${r.int(1000)}E+${r.int(30)}`,
      () => `-${r.int(100)}.${r.int(100)}e-${r.int(400)}`,
      () => this.of(['-0', '0', '-0.0', '0.000', '0e5', '-0E-3', '1e400', '-1e400', '1e-400', '9007199254740993', '123456789012345678901234567890',
        '01', '1.', '.5', '+1', '-', '1e', '1e+', '0x10', '1.5.3', 'NaN', 'Infinity', '-Infinity', '1_000', '00', '-01', '1.0', '2.50',
        '17976931348623157e292', '4.9e-324', '2.2250738585072014e-308', '0.1', '0.30000000000000004', '1234567890123456', '123456789012345.6']),
    ];
    return (this.trap('number', 0.1) ? forms[forms.length - 1] : forms[this.rnd.int(forms.length - 1)])();
  }
  private string(): string {
    if (!this.trap('string', 0.5)) return JSON.stringify(this.of(['DE', 'FR-1', '', 'a b', 'x'.repeat(300), 'US', '~!@#$%^&*()']));
    return JSON.stringify(this.of(['é', '😀', 'tab\there', 'q"uote', 'back\\slash', '\u007f', 'ok', '\ud800'])).replace(/^"ok"$/, this.of(['"ok"', '"o\\u006b"', '"\\/ok"']));
  }
  private scalar(): string {
    if (this.trap('scalar', 0.1)) return this.of(['[]', '{}', '[1]', '{"a":1}', 'nul', 'tru', 'True', 'undefined']);
    return this.of([() => this.number(), () => this.number(), () => this.string(), () => 'true', () => 'false', () => 'null'])();
  }
  private name(i: number): string {
    if (!this.trap('name', 0.1)) return `f${i}`;
    return this.of(['0', '17', '01', '-1', '1.5', '4294967295', '', ' ', 'x'.repeat(256), 'x'.repeat(257), 'ключ', '__proto__', 'constructor', 'toString',
      'a\u007fb', 'nul\\u0000', 'new\\nline', 'f\\u0031', 'e\u0301', 'q\\"uote', 'f1', 'f2']);
  }
  /** Any JSON value, nested up to a few levels (all of it valid: what JSON.parse accepts). */
  json(depth: number): string {
    const kind = this.rnd.int(depth > 3 ? 4 : 7);
    if (kind === 0) return this.number();
    if (kind === 1) return this.of(['"plain"', '""', '"\\n\\t\\"\\\\\\/\\b\\f\\r"', '"\\u00e9\\uD83D\\ude00"', '"\\ud800"', '"é😀"', '"\u007f"', '"\\u0000"', '"1e400"']);
    if (kind === 2) return this.of(['true', 'false', 'null', '1e400', '-0', '123456789012345678901234567890']);
    if (kind === 3) return this.of(['[]', '{}', '[ ]', '{ }', `${'['.repeat(300)}${']'.repeat(300)}`]);
    const items = Array.from({ length: this.rnd.int(4) }, () => this.json(depth + 1));
    if (kind === 4 || kind === 5) return `[${items.map((v) => `${this.ws()}${v}${this.ws()}`).join(',')}]`;
    return `{${items.map((v) => `${this.ws()}${this.of(['"a"', '"a"', '"b"', '"\\u0061"', '"__proto__"', '"0"', '""'])}${this.ws()}:${this.ws()}${v}`).join(',')}}`;
  }
  /** A value as JSON.stringify writes it, of what metadata holds. */
  private plainValue(depth: number): unknown {
    const r = this.rnd;
    return this.of([
      () => r.int(1000) - 500, () => (r.int(100_000) - 50_000) / 100, () => r.normal(), () => 10 ** -(1 + r.int(8)), () => r.int(2 ** 53),
      () => this.of(['run-1', '', 'a b', '~!@#$%^&*()', 'x'.repeat(100)]), () => this.chance(0.5), () => null,
      () => (depth > 2 ? 1 : Array.from({ length: r.int(3) }, () => this.plainValue(depth + 1))),
      () => (depth > 2 ? 2 : Object.fromEntries(Array.from({ length: r.int(4) }, () => [this.of(['a', 'b', 'source', 'x y', '_', 'run']), this.plainValue(depth + 1)]))),
    ])();
  }
  private metadata(): string {
    if (!this.trap('metadata', 1)) {
      if (this.chance(0.4)) return 'null';
      const value = Object.fromEntries(Array.from({ length: this.rnd.int(5) }, () => [this.of(['a', 'b', 'source', 'x y', 'run']), this.plainValue(0)]));
      // as JSON.stringify writes it, indented, or as Python's json.dumps does (", " and ": ")
      const form = this.rnd.int(3);
      return form === 0 ? JSON.stringify(value) : form === 1 ? JSON.stringify(value, null, this.of([1, 2, '\t'])) : JSON.stringify(value).replace(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/g, ', ').replace(/:(?=(?:[^"]*"[^"]*")*[^"]*$)/g, ': ');
    }
    const nested = (levels: number) => `${'{"k":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
    return this.of(['{"a":1,"a":2}', '{"0":1,"a":2}', '{"a":1, "b":2}', '{ "a" : [ 1 , 2 ] }', '{"a":-0}', '{"a":1.50}', '{"a":1e5}', '{"a":"é"}', '{"a":"\\n"}', '{"__proto__":1}',
      nested(64), nested(65), '[]', '1', '"s"', 'true', '{"a":[1,{"b":2}]}', '{"a":1234567890123456}', '{"a":123456789012345}', '{"a":0.0000001}', '{"a":0.000001}', '{"":1}', '{"a":[]}',
      '{"a":{}}', '{"a":-0.5}', '{"a":0.0}', '{"a":01}', '{"a":1.}', '{"a":[1,]}', '{"a":1,}', '{"b":{"a":1,"a":1}}', '{"a":{"0":1}}', '{"a":"\u007f"}', '{"a":1,"0":2}', '{"a":{"b":1,"7":2}}', '{"a":9007199254740993}', '{"a":0.30000000000000004}']);
  }
  private features(): string {
    const shape = this.rnd.int(4);
    const n = shape === 0 ? this.rnd.int(4) : shape === 1 ? 20 : shape === 2 ? 25 : this.rnd.int(60);
    const members: string[] = [];
    for (let i = 0; i < n; i++) {
      const name = this.name(i);
      const value = this.chance(0.8) ? this.number() : this.scalar();
      members.push(`${this.ws()}"${name}"${this.ws()}:${this.ws()}${value}${this.ws()}`);
    }
    if (members.length && this.trap('dupName', 0.5)) members.push(members[this.rnd.int(members.length)]);
    return `{${members.join(',')}${this.trap('comma', 0.5) ? ',' : ''}}`;
  }
  private timestamp(): string {
    const ms = NOW - 60_000 - this.rnd.int(30 * 86_400_000);
    if (!this.trap('time', 1)) return this.of([() => String(ms), () => String(Math.floor(ms / 1000)), () => `${Math.floor(ms / 1000)}.25`, () => JSON.stringify(new Date(ms).toISOString()), () => JSON.stringify(String(ms))])();
    return this.of([
      () => String(ms), () => String(ms), () => String(Math.floor(ms / 1000)), () => `${Math.floor(ms / 1000)}.25`, () => JSON.stringify(new Date(ms).toISOString()),
      () => JSON.stringify(String(ms)), () => `${ms}e0`, () => String(ms / 1e3), () => '-1', () => '0', () => 'null', () => '"yesterday"', () => '"2026-02-30T10:00:00Z"',
      () => String(NOW + 86_400_000), () => '1e309', () => '4294967296000', () => '"2026-12-01T11:00:00+02:00"', () => 'true', () => '[1]',
    ])();
  }
  private id(): string {
    if (!this.trap('id', 1)) return this.chance(0.8) ? `"p-${this.rnd.int(1e6)}"` : String(this.rnd.int(1e9));
    return this.of([() => `"p-${this.rnd.int(1e6)}"`, () => `"p-${this.rnd.int(1e6)}"`, () => String(this.rnd.int(1e9)), () => this.number(), () => '""', () => `"${'i'.repeat(257)}"`,
      () => `"${'i'.repeat(256)}"`, () => 'null', () => 'true', () => '{}', () => '"\\u0070-1"', () => '"p\u00e9"'])();
  }
  message(): string {
    this.odd = this.chance(0.5) ? 1 : 0;
    this.trapKind = this.of(TRAPS);
    const members: Array<[string, string]> = this.kind === 'prediction'
      ? [['model', !this.trap('model', 1) ? '"m1"' : this.of(['"m2"', '""', '1', 'null', `"${'m'.repeat(257)}"`, '"m\\u0031"'])], ['prediction_id', this.id()], ['timestamp', this.timestamp()],
          ['features', !this.trap('features', 1) ? this.features() : this.of(['null', '[]', '1', '"f"'])]]
      : [['model', !this.trap('model', 1) ? '"m1"' : this.of(['"m2"', '""', '1', 'null'])], ['prediction_id', this.id()], ['timestamp', this.timestamp()], ['label', this.scalar()]];
    if (this.chance(0.5)) members.push(['model_version', this.trap('version', 1) ? this.of(['""', '{}', 'true']) : this.of(['"1"', '"v2"', 'null', '2', '1.50'])]);
    if (this.kind === 'prediction' && this.chance(0.8)) members.push(['prediction', this.scalar()]);
    if (this.kind === 'prediction' && this.chance(0.2)) members.push(['label', this.scalar()]);
    if (this.chance(0.3) || (this.odd && this.trapKind === 'metadata')) members.push(['metadata', this.metadata()]);
    // fields the full path ignores: any JSON (a label's other fields too), or, as a trap, what is not JSON
    const ignored = () => this.of(['extra', '__proto__', 'Model', 'request_id', 'feat\u0075res', 'ключ', ...(this.kind === 'label' ? ['model_version', 'features', 'prediction', 'metadata'] : [])]);
    if (this.chance(0.3)) members.push([ignored(), this.json(0)]);
    if (this.trap('extra', 1)) members.push([ignored(), this.of(['{"a":1,}', '[1,]', '"\\x"', '"a\tb"', '{"a" 1}', '[1 2]', 'nul', '01', '1.', '-', '"\\u12"', '{', '[', '"open', '{"a":1}}', ']', '{1:2}', "'a'", '[-]', '1e', '{"a":1 "b":2}', '[[]', '{"a"}', '"\\uZZZZ"', '"\\u00g0"', '[1}', '{"a":1]', '[{]}', '{"a":[1}]'])]);
    if (this.trap('dupField', 1)) {
      const [k] = this.of(members);
      members.push([k, k === 'features' ? this.features() : k === 'timestamp' ? this.timestamp() : k === 'model' ? '"m1"' : this.scalar()]);
    }
    if (this.trap('missing', 1)) members.splice(this.rnd.int(members.length), 1);
    if (this.chance(0.7)) members.sort(() => this.rnd.next() - 0.5);
    const keyText = (k: string) => (k === 'model' && this.trap('escapedKey', 1) ? '"mod\\u0065l"' : `"${k}"`);
    let text = `${this.ws()}{${members.map(([k, v]) => `${this.ws()}${keyText(k)}${this.ws()}:${this.ws()}${v}${this.ws()}`).join(',')}}${this.ws()}`;
    if (this.trap('truncate', 1)) text = text.slice(0, this.rnd.int(text.length));
    if (this.trap('bom', 1)) text = `\ufeff${text}`;
    if (this.trap('trailing', 1)) text += this.of(['x', '}', ',', '{}']);
    return text;
  }
}

/** A message as Kafka gives it (bytes, sometimes with a byte that is not UTF-8 in it) or as HTTP does (text). */
function raw(text: string, rnd: SeededRandom): Buffer | string {
  if (rnd.next() < 0.2) return text;
  const bytes = Buffer.from(text);
  if (rnd.next() < 0.02 && bytes.length > 2) {
    const at = 1 + rnd.int(bytes.length - 2);
    return Buffer.concat([bytes.subarray(0, at), Buffer.from([[0xff, 0xc3, 0x80, 0xed][rnd.int(4)]]), bytes.subarray(at)]);
  }
  return bytes;
}

interface Tally { accepted: number; declined: number }

/** Both paths on each message in turn (so the scan's memory of recent names is exercised as in a stream). */
function compare(kind: MessageKind, messages: Array<Buffer | string>, options: DecodeOptions, maxBytes = MAX_BYTES): Tally {
  const scanned = rowEncoder();
  const full = rowEncoder();
  const tally: Tally = { accepted: 0, declined: 0 };
  for (const m of messages) {
    const ts = scanRow(scanned, kind, m, maxBytes, options, INGESTED_AT);
    const got = scanned.finish();
    if (ts === DECLINED) {
      expect(got.data.length, 'a declined message wrote nothing').toBe(0);
      tally.declined++;
      continue;
    }
    tally.accepted++;
    let want: number;
    try {
      const json = parseJsonMessage(m, maxBytes);
      want = kind === 'prediction' ? encodePrediction(full, json, options, INGESTED_AT) : encodeLabel(full, json, options, INGESTED_AT);
    } catch (error) {
      throw new Error(`the scan accepted ${JSON.stringify(String(m))}, the full path refuses it: ${(error as Error).message}`);
    }
    const expected = full.finish();
    if (ts !== want || !got.data.equals(expected.data)) {
      throw new Error(`the scan differs from the full path on ${JSON.stringify(String(m))}: time ${ts} vs ${want}, bytes ${got.data.toString('hex')} vs ${expected.data.toString('hex')}`);
    }
    expect(got.ends).toEqual(expected.ends);
  }
  return tally;
}

const OPTION_SETS: Array<[string, DecodeOptions]> = [
  ['no options', {}],
  ['a model allow-list', { models: new Set(['m1', 'fuzz']) }],
  ['a time window', { window: { minMs: NOW - 25 * 86_400_000, maxMs: NOW + 300_000 } }],
];

describe('the byte-level scan of common messages', () => {
  for (const kind of ['prediction', 'label'] as MessageKind[]) {
    for (const [what, options] of OPTION_SETS) {
      it(`${kind}s, ${what}: declined, or the full path's bytes and time`, () => {
        const gen = new OddMessages(kind === 'prediction' ? 19 : 23, kind);
        const rnd = new SeededRandom(7);
        const messages = Array.from({ length: kind === 'prediction' ? 6000 : 3000 }, () => raw(gen.message(), rnd));
        const tally = compare(kind, messages, options);
        // the corpus is a real test of both outcomes
        expect(tally.accepted).toBeGreaterThan(messages.length * 0.15);
        expect(tally.declined).toBeGreaterThan(messages.length * 0.15);
      });
    }
  }

  it('an ignored field\'s value is stepped over exactly when it is JSON', () => {
    const gen = new OddMessages(3, 'prediction');
    for (let i = 0; i < 3000; i++) {
      const v = gen.json(0);
      expect(() => JSON.parse(v)).not.toThrow();
      expect(skipJson(Buffer.from(v), 0)).toBe(Buffer.byteLength(v));
    }
  });

  it('numbers of every form are read as JSON.parse reads them', () => {
    const gen = new OddMessages(5, 'prediction');
    const messages: string[] = [];
    for (let i = 0; i < 20_000; i++) messages.push(`{"model":"m","prediction_id":"p","timestamp":${NOW},"features":{"x":${gen.number()},"y":${gen.number()}},"prediction":${gen.number()}}`);
    expect(compare('prediction', messages, {}).accepted).toBeGreaterThan(10_000);
  });

  it('a message over the size limit is declined (the full path names the limit)', () => {
    const text = benchMessage(1, 20);
    const enc = rowEncoder();
    expect(scanRow(enc, 'prediction', Buffer.from(text), text.length - 1, {}, INGESTED_AT)).toBe(DECLINED);
    expect(scanRow(enc, 'prediction', Buffer.from(text), text.length, {}, INGESTED_AT)).not.toBe(DECLINED);
  });

  it('issue 10\'s hostile corpus: declined, or exactly as the full path', () => {
    const gen = new HostileGenerator(10, NOW);
    const messages = Array.from({ length: 3000 }, (_, i) => gen.message(i, 'h', true).text);
    expect(compare('prediction', messages, {}, 1 << 20).accepted).toBeGreaterThan(0);
  });

  it('feature names that repeat or change between messages are checked each time they could differ', () => {
    const at = (names: string[]) => `{"model":"m","prediction_id":"p","timestamp":${NOW},"features":{${names.map((n, i) => `"${n}":${i}`).join(',')}}}`;
    const stream = [at(['a', 'b', 'c']), at(['a', 'b', 'c']), at(['a', 'b', 'a']), at(['a', 'b', 'c']), at(['a', 'b']), at(['a', 'b', 'b']), at(['a', 'b', 'c', 'a']), at(['b', 'b']), at(['a', 'b', 'c'])];
    const enc = rowEncoder();
    expect(stream.map((m) => scanRow(enc, 'prediction', m, MAX_BYTES, {}, INGESTED_AT) !== DECLINED)).toEqual([true, true, false, true, true, false, false, false, true]);
    compare('prediction', stream, {});
  });

  it('at most 2 000 features, as the full path', () => {
    const at = (n: number) => `{"model":"m","prediction_id":"p","timestamp":${NOW},"features":{${Array.from({ length: n }, (_, i) => `"x${i}":${i}`).join(',')}}}`;
    expect(compare('prediction', [at(2000), at(2001), at(1999)], {})).toEqual({ accepted: 2, declined: 1 });
  });

  it('after a long run of declined messages only one in DECLINED_RUN is tried, until one is read again', () => {
    const enc = rowEncoder();
    // a name that is not ASCII: the scan declines it
    const odd = (i: number) => benchMessage(i, 20).replace('"f3"', '"f€"');
    for (let i = 0; i <= 3 * DECLINED_RUN; i++) expect(scanRow(enc, 'prediction', odd(i), MAX_BYTES, {}, INGESTED_AT)).toBe(DECLINED);
    // labels keep their own count
    expect(scanRow(enc, 'label', `{"model":"m","prediction_id":"p","timestamp":${NOW},"label":1}`, MAX_BYTES, {}, INGESTED_AT)).toBe(NOW);
    const canonical = Array.from({ length: DECLINED_RUN }, (_, i) => scanRow(enc, 'prediction', benchMessage(i, 20), MAX_BYTES, {}, INGESTED_AT));
    const first = canonical.findIndex((ts) => ts !== DECLINED);
    expect(first).toBe(DECLINED_RUN - 1);
    expect(canonical.slice(first).every((ts) => ts !== DECLINED)).toBe(true);
    expect(enc.finish().ends).toHaveLength(1 + DECLINED_RUN - first);
  });

  it('the bench\'s messages (both shapes) are all read by the scan, and decodeMessages stores them as the full path would', () => {
    for (const shape of [{ numeric: 20 }, { numeric: 25, nulls: true, categorical: 5 }]) {
      const messages = Array.from({ length: 500 }, (_, i) => Buffer.from(benchMessage(i, shape)));
      expect(compare('prediction', messages, {})).toEqual({ accepted: 500, declined: 0 });
      const report = decodeMessages('prediction', 'bench', messages.map((value, i) => ({ value, topic: 't', partition: 0, offset: String(i) })), MAX_BYTES, { rowBinary: true }, NOW);
      expect(report.batch.encoded?.[0].ends).toHaveLength(500);
      expect(report.batch.predictions).toHaveLength(0);
      expect(report.newestEventMs).toBe(1764000000000 + 499);
    }
  });
});
