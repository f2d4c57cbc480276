// Alertmanager sink settings.
import { checkUrl, readConfig } from '../config.js';

export interface AlertmanagerConfig {
  /** base URL, e.g. http://alertmanager:9093 */
  url: string;
  /** how often firing alerts are re-sent; endsAt is set 4 intervals ahead, as Prometheus does */
  resendIntervalMs: number;
  timeoutMs: number;
  /** link back to driftwatch shown in Alertmanager (generatorURL), e.g. http://driftwatch:8080/v1/alerts */
  generatorUrl: string;
}

export function alertmanagerConfig(raw: unknown): AlertmanagerConfig {
  const c = readConfig<AlertmanagerConfig>(raw, 'alertmanager sink', {
    url: { type: 'string', required: true },
    resendIntervalMs: { type: 'number' },
    timeoutMs: { type: 'number' },
    generatorUrl: { type: 'string' },
  }, { resendIntervalMs: 60_000, timeoutMs: 5_000, generatorUrl: '' });
  checkUrl(c.url, 'alertmanager sink');
  return c;
}
