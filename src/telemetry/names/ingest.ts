// Metric names of ingest and the service itself; dashboards and alert rules import these, never literals.
export const INGEST_MESSAGES_TOTAL = 'driftwatch_ingest_messages_total';
export const INGEST_DEAD_LETTERS_TOTAL = 'driftwatch_ingest_dead_letters_total';
export const INGEST_BATCHES_TOTAL = 'driftwatch_ingest_batches_total';
export const INGEST_BATCH_SECONDS = 'driftwatch_ingest_batch_duration_seconds';
export const INGEST_LAG_SECONDS = 'driftwatch_ingest_lag_seconds';
export const INGEST_STORE_RETRIES_TOTAL = 'driftwatch_ingest_store_retries_total';
export const INGEST_STORE_UP = 'driftwatch_ingest_store_up';
export const INGEST_ORPHAN_LABELS_TOTAL = 'driftwatch_ingest_orphan_labels_total';
