// The ingest path's metrics, created once per registry.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import * as N from './names/ingest.js';

export interface IngestMetrics {
  messages: Counter<'kind' | 'outcome'>;
  deadLetters: Counter<'source' | 'reason'>;
  batches: Counter<'outcome'>;
  batchSeconds: Histogram;
  lagSeconds: Gauge<'topic'>;
  storeRetries: Counter;
  storeUp: Gauge;
  orphanLabels: Counter;
}

export function ingestMetrics(registry: Registry): IngestMetrics {
  const registers = [registry];
  return {
    messages: new Counter({ name: N.INGEST_MESSAGES_TOTAL, help: 'Messages ingested, by kind (prediction|label) and outcome (stored|rejected).', labelNames: ['kind', 'outcome'], registers }),
    deadLetters: new Counter({ name: N.INGEST_DEAD_LETTERS_TOTAL, help: 'Messages sent to the dead-letter table, by source and reason code.', labelNames: ['source', 'reason'], registers }),
    batches: new Counter({ name: N.INGEST_BATCHES_TOTAL, help: 'Batches written to ClickHouse, by outcome.', labelNames: ['outcome'], registers }),
    batchSeconds: new Histogram({ name: N.INGEST_BATCH_SECONDS, help: 'Time to write one batch to ClickHouse, retries included.', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers }),
    lagSeconds: new Gauge({ name: N.INGEST_LAG_SECONDS, help: 'Age of the newest stored message when its batch was committed (event time to now).', labelNames: ['topic'], registers }),
    storeRetries: new Counter({ name: N.INGEST_STORE_RETRIES_TOTAL, help: 'ClickHouse write attempts that failed and were retried.', registers }),
    storeUp: new Gauge({ name: N.INGEST_STORE_UP, help: '1 when the last ClickHouse write succeeded, 0 while writes are failing.', registers }),
    orphanLabels: new Counter({ name: N.INGEST_ORPHAN_LABELS_TOTAL, help: 'Labels stored for a prediction id not among the predictions of the 7 days before the label arrived (checked every 5 minutes).', registers }),
  };
}
