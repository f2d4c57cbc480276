// Scrapes dcgm-exporter targets on an interval, each with its own timeout, all in parallel: a slow or dead
// target is reported with an `up` sample and never delays the others.
import { CounterRates } from './counters.js';
import { counterRates, dcgmSamples } from './dcgm.js';
import { parseExposition } from './exposition.js';
import type { TargetList } from './targets.js';
import type { GpuSample } from './types.js';

export interface ScrapeResult {
  target: string;
  up: boolean;
  error: string | undefined;
  durationMs: number;
  samples: GpuSample[];
  /** exposition lines that could not be parsed */
  badLines: number;
}

export type Fetch = typeof fetch;

/** A dcgm-exporter page for 8 GPUs is ~100 KB; anything far larger is a wrong target, not worth buffering. */
export const MAX_EXPOSITION_BYTES = 32 << 20;

/** GETs one target's exposition text; throws on timeout, network error, a non-2xx status or an oversized body. */
export async function fetchExposition(url: string, timeoutMs: number, fetchImpl: Fetch = fetch, maxBytes = MAX_EXPOSITION_BYTES): Promise<string> {
  const res = await fetchImpl(url, {
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1' },
  });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new Error(`response larger than ${maxBytes} bytes`);
  }
  if (Number.isFinite(declared)) return res.text(); // size known and acceptable: let undici decode in one go
  if (!res.body) return '';
  const decoder = new TextDecoder();
  const reader = res.body.getReader();
  let text = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel();
      throw new Error(`response larger than ${maxBytes} bytes`);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

export interface DcgmCollectorOptions {
  targets: TargetList;
  intervalMs: number;
  timeoutMs: number;
  /** receives every scrape's samples (e.g. the batcher) */
  onSamples: (samples: GpuSample[]) => void | Promise<void>;
  now?: () => number;
  fetch?: Fetch;
  dropLabels?: readonly string[];
}

export class DcgmCollector {
  private readonly rates = new CounterRates();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  readonly last = new Map<string, ScrapeResult>();

  constructor(private readonly opts: DcgmCollectorOptions) {
    if (!(opts.timeoutMs > 0 && opts.intervalMs > 0)) throw new RangeError('intervalMs and timeoutMs must be positive');
  }

  /** Scrapes one target: samples, counter rates, and an `up` sample that is 0 when the scrape failed. */
  async scrape(target: string): Promise<ScrapeResult> {
    const now = this.opts.now ?? Date.now;
    const started = now();
    const host = hostOf(target);
    let samples: GpuSample[] = [];
    let error: string | undefined;
    let badLines = 0;
    try {
      const text = await fetchExposition(target, this.opts.timeoutMs, this.opts.fetch);
      const expo = parseExposition(text);
      badLines = expo.errors.length;
      samples = dcgmSamples(expo, { ts: started, host, dropLabels: this.opts.dropLabels });
      samples.push(...counterRates(samples, expo.types, this.rates));
    } catch (e) {
      error = e instanceof Error ? (e.name === 'TimeoutError' ? `timeout after ${this.opts.timeoutMs} ms` : e.message) : String(e);
    }
    const durationMs = now() - started;
    const labels: Record<string, string> = error ? { target, error } : { target };
    samples.push(
      { source: 'collector', host, gpu: '', uuid: '', metric: 'up', value: error ? 0 : 1, labels, ts: started },
      { source: 'collector', host, gpu: '', uuid: '', metric: 'scrape_duration_seconds', value: durationMs / 1000, labels: { target }, ts: started },
    );
    const result = { target, up: !error, error, durationMs, samples, badLines };
    this.last.set(target, result);
    return result;
  }

  /** One round over every current target, in parallel. */
  async scrapeAll(): Promise<ScrapeResult[]> {
    const targets = await this.opts.targets.current();
    const results = await Promise.all(targets.map((t) => this.scrape(t)));
    for (const t of this.last.keys()) if (!targets.includes(t)) this.last.delete(t);
    this.rates.prune((this.opts.now ?? Date.now)(), 10 * this.opts.intervalMs);
    await this.opts.onSamples(results.flatMap((r) => r.samples));
    return results;
  }

  /** Scrapes every `intervalMs`; a round that overruns the interval delays the next instead of overlapping it. */
  start(): void {
    if (this.timer || this.running) return;
    const tick = () => {
      this.running = this.scrapeAll()
        .catch(() => undefined)
        .finally(() => {
          this.running = undefined;
          if (this.timer !== undefined) {
            this.timer = setTimeout(tick, this.opts.intervalMs);
            this.timer.unref();
          }
        });
    };
    this.timer = setTimeout(tick, 0);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

export function hostOf(target: string): string {
  try {
    return new URL(target).hostname;
  } catch {
    return target;
  }
}
