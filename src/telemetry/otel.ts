// OpenTelemetry traces (ingest batches, evaluations, API requests): exported over OTLP when the standard
// OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set, otherwise recorded nowhere (the API's no-op tracer).
import { SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { NodeSDK, tracing } from '@opentelemetry/sdk-node';

export const TRACER_NAME = 'driftwatch';

/** Span names: one per unit of work an operator wants to find in a trace view. */
export const SPANS = {
  ingestBatch: 'driftwatch.ingest.batch',
  evaluation: 'driftwatch.evaluate.window',
  alertDelivery: 'driftwatch.alert.delivery',
  httpRequest: 'driftwatch.http.request',
} as const;

export interface Tracing {
  tracer: Tracer;
  /** Whether spans leave the process (OTLP configured, or processors given). */
  exporting: boolean;
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  serviceName?: string;
  env?: NodeJS.ProcessEnv;
  /** extra span processors (tests pass an in-memory exporter) */
  spanProcessors?: tracing.SpanProcessor[];
}

export function otlpConfigured(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** Starts tracing once per process; with neither OTLP nor processors it stays the API's no-op tracer. */
export function startTracing(options: TracingOptions = {}): Tracing {
  const env = options.env ?? process.env;
  const serviceName = options.serviceName ?? env.OTEL_SERVICE_NAME ?? 'driftwatch';
  if (options.spanProcessors?.length) {
    const provider = new tracing.BasicTracerProvider({ spanProcessors: options.spanProcessors });
    return { tracer: provider.getTracer(TRACER_NAME), exporting: true, shutdown: () => provider.shutdown() };
  }
  if (!otlpConfigured(env)) return { tracer: trace.getTracer(TRACER_NAME), exporting: false, shutdown: async () => {} };
  // NodeSDK reads the OTLP endpoint, headers and protocol from the standard OTEL_* variables.
  const sdk = new NodeSDK({ serviceName, instrumentations: [] });
  sdk.start();
  return { tracer: trace.getTracer(TRACER_NAME), exporting: true, shutdown: () => sdk.shutdown() };
}

/** Runs fn inside a span named `name`; marks the span failed and rethrows when fn throws. */
export async function withSpan<T>(tracer: Tracer, name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
