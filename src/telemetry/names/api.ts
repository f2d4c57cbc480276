// Metric names of the HTTP API (OpenTelemetry instruments, served on the same /metrics as prom-client's).
export const HTTP_REQUESTS_TOTAL = 'driftwatch_http_requests_total';
export const HTTP_REQUEST_SECONDS = 'driftwatch_http_request_duration_seconds';
export const HTTP_RATE_LIMITED_TOTAL = 'driftwatch_http_rate_limited_total';
