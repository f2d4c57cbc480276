// Names of prom-client's default process metrics as driftwatch exports them (prefix "driftwatch_").
export const PROCESS_PREFIX = 'driftwatch_';
export const PROCESS_CPU_SECONDS_TOTAL = 'driftwatch_process_cpu_seconds_total';
export const PROCESS_RESIDENT_MEMORY_BYTES = 'driftwatch_process_resident_memory_bytes';
export const PROCESS_START_TIME_SECONDS = 'driftwatch_process_start_time_seconds';
export const NODEJS_EVENTLOOP_LAG_P99_SECONDS = 'driftwatch_nodejs_eventloop_lag_p99_seconds';
export const NODEJS_HEAP_USED_BYTES = 'driftwatch_nodejs_heap_size_used_bytes';
