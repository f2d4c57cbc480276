// Writing a report file: from a model built elsewhere, or straight from ClickHouse (what the demo calls at its end).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Store } from '../store/index.js';
import { renderReport } from './html.js';
import type { ReportModel } from './model.js';
import { storeReport, type StoreReportOptions } from './store-report.js';

export type ReportSource = ReportModel | ({ store: Store } & StoreReportOptions);

/** Renders and writes the HTML report; returns its absolute path and size. */
export async function writeReport(path: string, source: ReportSource): Promise<{ path: string; bytes: number; model: ReportModel }> {
  const model = 'store' in source ? await storeReport(source.store, source) : source;
  const html = await renderReport(model);
  const absolute = resolve(path);
  await mkdir(dirname(absolute), { recursive: true });
  await writeFile(absolute, html, 'utf8');
  return { path: absolute, bytes: Buffer.byteLength(html), model };
}
