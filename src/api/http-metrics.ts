// Request count and latency per route as OpenTelemetry instruments (served on /metrics through the OTel
// Prometheus exporter), one span per request when tracing is on, one JSON log line per answer.
import { SpanStatusCode, type Meter, type Span, type Tracer } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HTTP_REQUESTS_TOTAL, HTTP_REQUEST_SECONDS } from '../telemetry/names/api.js';
import type { Logger } from '../telemetry/log.js';
import { SPANS } from '../telemetry/otel.js';

export interface HttpMetricsDeps {
  meter?: Meter;
  tracer?: Tracer;
  logger?: Logger;
  now: () => number;
}

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function httpMetrics(app: FastifyInstance, deps: HttpMetricsDeps): void {
  const requests = deps.meter?.createCounter(HTTP_REQUESTS_TOTAL, { description: 'HTTP requests answered, by route, method and status code.' });
  const seconds = deps.meter?.createHistogram(HTTP_REQUEST_SECONDS, { description: 'Time to answer an HTTP request, by route and method.', advice: { explicitBucketBoundaries: BUCKETS } });
  const started = new WeakMap<FastifyRequest, { at: number; span?: Span }>();
  const routeOf = (r: FastifyRequest) => r.routeOptions.url ?? 'unmatched';

  app.addHook('onRequest', async (request) => {
    const span = deps.tracer?.startSpan(SPANS.httpRequest, { attributes: { 'http.request.method': request.method, 'http.route': routeOf(request) } });
    started.set(request, { at: deps.now(), span });
  });
  app.addHook('onResponse', async (request, reply) => {
    const start = started.get(request);
    const route = routeOf(request);
    const attrs = { route, method: request.method, status: String(reply.statusCode) };
    requests?.add(1, attrs);
    const ms = start ? Math.max(0, deps.now() - start.at) : 0;
    if (start) seconds?.record(ms / 1000, { route, method: request.method });
    deps.logger?.log(reply.statusCode >= 500 ? 'error' : reply.statusCode >= 400 ? 'info' : 'debug', 'http_request', { method: request.method, route, status: reply.statusCode, ms });
    if (start?.span) {
      start.span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) start.span.setStatus({ code: SpanStatusCode.ERROR });
      start.span.end();
    }
  });
}
