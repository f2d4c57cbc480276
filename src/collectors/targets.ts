// Where the dcgm-exporters are: a static list plus an optional targets file, re-read when it changes.
import { stat, readFile } from 'node:fs/promises';
import { InputError } from '../domain/index.js';

/** "gpu-node-1:9400" → "http://gpu-node-1:9400/metrics"; full URLs are kept. */
export function targetUrl(target: string): string {
  const t = target.trim();
  const withScheme = /^https?:\/\//i.test(t) ? t : `http://${t}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InputError(`invalid scrape target "${target}"`);
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/metrics';
  return url.toString();
}

/**
 * Targets file: Prometheus file_sd JSON (`[{"targets": ["host:9400"], "labels": {…}}]`) or one target
 * per line (# comments allowed).
 */
export function parseTargetsFile(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch (e) {
      throw new InputError(`targets file is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!Array.isArray(doc)) throw new InputError('targets file must be a JSON array of {targets: [...]}');
    const out: string[] = [];
    for (const group of doc) {
      const list = (group as { targets?: unknown })?.targets;
      if (!Array.isArray(list)) throw new InputError('each targets-file group needs a "targets" array');
      for (const t of list) out.push(targetUrl(String(t)));
    }
    return out;
  }
  return trimmed
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map(targetUrl);
}

/** Static targets + a file re-read only when its mtime or size changes; a broken file keeps the last good list. */
export class TargetList {
  private fileTargets: string[] = [];
  private fileStamp = '';
  lastError: string | undefined;

  constructor(private readonly staticTargets: readonly string[], private readonly file?: string) {}

  async current(): Promise<string[]> {
    if (this.file) {
      try {
        const st = await stat(this.file);
        const stamp = `${st.mtimeMs}:${st.size}`;
        if (stamp !== this.fileStamp) {
          this.fileTargets = parseTargetsFile(await readFile(this.file, 'utf8'));
          this.fileStamp = stamp;
          this.lastError = undefined;
        }
      } catch (e) {
        this.lastError = e instanceof Error ? e.message : String(e);
      }
    }
    return [...new Set([...this.staticTargets.map(targetUrl), ...this.fileTargets])];
  }
}
