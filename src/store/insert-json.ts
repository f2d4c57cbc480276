// Rows into JSONCompactEachRow bytes for the embedded engine's raw insert (it takes no RowBinary): one JSON array
// a row in the layout's column order, so keys are neither written nor parsed; the engine (26) parses floats exactly.
import type { TableLayout } from './insert-layout.js';

const isNegativeZero = (v: unknown) => v === 0 && 1 / v < 0;
const floatText = (v: unknown) => (isNegativeZero(v) ? '-0' : JSON.stringify(v));

export function encodeJsonCompact(layout: TableLayout, rows: ReadonlyArray<Record<string, unknown>>): Buffer {
  const columns = layout.map(([name]) => name);
  const floats = layout.map(([, type]) => type.includes('Float64'));
  const values = new Array<unknown>(columns.length);
  let text = '';
  for (const row of rows) {
    let negativeZero = false;
    for (let c = 0; c < columns.length; c++) {
      const v = (values[c] = row[columns[c]]);
      if (floats[c] && (Array.isArray(v) ? v.some(isNegativeZero) : isNegativeZero(v))) negativeZero = true;
    }
    // JSON.stringify writes -0 as 0: such a row (rare) is written number by number so its sign survives
    text += negativeZero ? `[${values.map((v, c) => (!floats[c] ? JSON.stringify(v) : Array.isArray(v) ? `[${v.map(floatText).join(',')}]` : floatText(v))).join(',')}]\n` : `${JSON.stringify(values)}\n`;
  }
  return Buffer.from(text, 'utf8');
}
