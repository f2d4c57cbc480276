// Traces and logs of the API: a span per request and per HTTP ingest batch (failed batches marked as errors),
// no-op tracing unless OTLP is configured, one JSON log line per answer and the hidden cause of a 500 in the log.
import { tracing } from '@opentelemetry/sdk-node';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/api/app.js';
import type { BatchWriter } from '../../../src/ingest/writer.js';
import { jsonLogger } from '../../../src/telemetry/log.js';
import { SPANS, otlpConfigured, startTracing } from '../../../src/telemetry/otel.js';
import { predictionMessage } from '../../support/messages.js';
import { recordingWriter } from './fakes.js';

const TOKEN = 'ingest-token-for-tracing-1';

async function traced(writer: BatchWriter) {
  const exporter = new tracing.InMemorySpanExporter();
  const t = startTracing({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
  const lines: string[] = [];
  const app = await buildApp({
    tokens: [{ token: TOKEN, scopes: ['ingest'] }], registry: new Registry(), writer, maxMessageBytes: 10_000, models: ['fraud'],
    readiness: {}, tracer: t.tracer, logger: jsonLogger('debug', {}, (l) => lines.push(l) > 0),
  });
  return { app, exporter, lines, shutdown: () => t.shutdown() };
}

describe('tracing', () => {
  it('records a span per request and one per HTTP ingest batch with its size', async () => {
    const { app, exporter, shutdown } = await traced(recordingWriter());
    const res = await app.inject({ method: 'POST', url: '/v1/predictions', headers: { authorization: `Bearer ${TOKEN}` }, payload: [predictionMessage(1), predictionMessage(2), { model: 'fraud' }] });
    expect(res.statusCode).toBe(200);
    const spans = exporter.getFinishedSpans();
    const batch = spans.find((s) => s.name === SPANS.ingestBatch)!;
    expect(batch.attributes).toMatchObject({ 'driftwatch.source': 'http', 'driftwatch.kind': 'prediction', 'driftwatch.messages': 3, 'driftwatch.rejected': 1 });
    const request = spans.find((s) => s.name === SPANS.httpRequest)!;
    expect(request.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/v1/predictions', 'http.response.status_code': 200 });
    await app.close();
    await shutdown();
  });

  it('marks the batch span failed when the store refuses the batch, and logs the cause the client never sees', async () => {
    const writer = { submit: async () => { throw new Error('ClickHouse said no at /srv/store.ts:1'); } } as unknown as BatchWriter;
    const { app, exporter, lines, shutdown } = await traced(writer);
    const res = await app.inject({ method: 'POST', url: '/v1/predictions', headers: { authorization: `Bearer ${TOKEN}` }, payload: [predictionMessage(1)] });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('ClickHouse said no');
    const batch = exporter.getFinishedSpans().find((s) => s.name === SPANS.ingestBatch)!;
    expect(batch.status.code).toBe(2); // SpanStatusCode.ERROR
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.find((l) => l.event === 'http_internal_error')).toMatchObject({ level: 'error', route: '/v1/predictions', error: 'ClickHouse said no at /srv/store.ts:1' });
    expect(logged.find((l) => l.event === 'http_request')).toMatchObject({ level: 'error', method: 'POST', route: '/v1/predictions', status: 500 });
    await app.close();
    await shutdown();
  });

  it('exports over OTLP only when an endpoint is configured', () => {
    expect(otlpConfigured({})).toBe(false);
    expect(otlpConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(otlpConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(startTracing({ env: {} }).exporting).toBe(false);
  });
});
