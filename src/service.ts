// The running service: ingest (Kafka + HTTP) → ClickHouse; windowed evaluation → alert lifecycle → sinks; GPU
// fleet; one /metrics; health. Started by `driftwatch serve` and by the demo. stop() drains in-flight batches,
// commits their offsets, and closes everything.
import type { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app.js';
import { StoreBaselineCatalog } from './api/baseline-store.js';
import type { AlertEvent, StreamDecision } from './alerting/index.js';
import type { GpuFleet } from './collectors/fleet.js';
import type { Config } from './config/index.js';
import { Evaluator, storedBaselines, writeModel, type ModelRegistry } from './evaluate/index.js';
import { KafkaIngest } from './ingest/kafka.js';
import { BatchWriter } from './ingest/writer.js';
import { applyRetention, storeFromConfig, type Store } from './store/index.js';
import { alertingMetrics } from './telemetry/alerting-metrics.js';
import { evaluateMetrics } from './telemetry/evaluate-metrics.js';
import { ingestMetrics } from './telemetry/ingest-metrics.js';
import type { Logger } from './telemetry/log.js';
import { startTracing } from './telemetry/otel.js';
import { createTelemetry } from './telemetry/registry.js';
import { alertPath, type AlertPath } from './wiring/alerting.js';
import { gpuConfigured, startGpuFleet } from './wiring/gpu.js';
import { modelRegistry } from './wiring/models.js';
import { loadState, saveState } from './wiring/state.js';

export interface Service {
  app: FastifyInstance;
  address: string;
  store: Store;
  registry: Registry;
  alerts: AlertPath;
  evaluator: Evaluator;
  models: ModelRegistry;
  /** Routes decisions (drift, quality, GPU) into the alert lifecycle and keeps the alert gauges current. */
  decide(decisions: StreamDecision[], now: number): Promise<AlertEvent[]>;
  stop(): Promise<void>;
}

export async function startService(config: Config, logger: Logger): Promise<Service> {
  const telemetry = createTelemetry({ onDuplicate: (names) => logger.log('warn', 'metric_name_duplicate', { names }) });
  const registry = telemetry.registry;
  const tracing = startTracing();
  const metrics = ingestMetrics(registry);
  const alertMetrics = alertingMetrics(registry);
  const store = storeFromConfig(config);
  const writer = new BatchWriter(store, { batchSize: config.ingest.batchSize, maxWaitMs: config.ingest.batchMaxWaitMs }, metrics, logger);

  let kafka: KafkaIngest | undefined;
  if (config.kafka.brokers.length > 0) {
    kafka = new KafkaIngest({
      brokers: config.kafka.brokers, clientId: config.kafka.clientId, groupId: config.kafka.consumerGroup,
      predictionsTopic: config.kafka.predictionsTopic, labelsTopic: config.kafka.labelsTopic,
      maxMessageBytes: config.ingest.maxMessageBytes, models: config.ingest.models,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    }, writer, metrics, logger);
  } else {
    logger.log('warn', 'kafka_disabled', { hint: 'set DRIFTWATCH_KAFKA_BROKERS to consume the predictions and labels topics' });
  }
  if (config.http.tokens.length === 0) {
    logger.log('warn', 'no_api_tokens', { hint: 'HTTP ingest and admin routes answer 401 until DRIFTWATCH_API_TOKENS is set' });
  }

  const alerts = await alertPath(config, store);
  const decide = async (decisions: StreamDecision[], now: number): Promise<AlertEvent[]> => {
    const events = await alerts.dispatch.decide(decisions, now);
    for (const e of events) alertMetrics.transitions.inc({ status: e.status });
    alertMetrics.setFiring(alerts.dispatch.book.firing());
    if (events.length) persist();
    return events;
  };

  // Evidence of the sequential tests, the firing alerts and the models declared through the API survive a restart
  // (data dir), so a restart neither forgets an alert it must resolve, nor starts the evidence over, nor stops
  // evaluating a model an operator declared.
  const saved = loadState(config.dataDir);
  if (saved.problem) logger.log('warn', 'state_unreadable', { problem: saved.problem });
  const wiring = modelRegistry(config, saved.state?.models ?? []);
  for (const problem of wiring.skipped) logger.log('warn', 'saved_model_not_restored', { problem });
  const models = wiring.registry;
  const apiModels = new Map(wiring.restored.map((m) => [m.id, m]));
  models.onDeclare((m) => {
    apiModels.set(m.id, m);
    persist();
  });
  // Window aggregations over millions of rows take far longer than an insert: their own, longer timeout.
  const evaluationStore = storeFromConfig({ ...config, clickhouse: { ...config.clickhouse, requestTimeoutMs: config.evaluation.queryTimeoutMs } });
  const evaluator = new Evaluator({
    store: evaluationStore, models, baselines: storedBaselines(store), policy: alerts.policy, metrics: evaluateMetrics(registry),
    onDecisions: async (decisions) => void (await decide(decisions, Date.now())),
    onPolicyError: (error, evaluation) => logger.log('error', 'policy_failed', { model: evaluation.model, window_start: evaluation.start, error: (error as Error).message }),
  });
  if (saved.state) {
    evaluator.restoreJudgeState(saved.state.judge);
    alerts.dispatch.book.restore(saved.state.alerts);
    alertMetrics.setFiring(alerts.dispatch.book.firing());
  }
  const persist = () => {
    try {
      saveState(config.dataDir, { version: 1, judge: evaluator.judgeState(), alerts: alerts.dispatch.book.snapshot(), models: [...apiModels.values()].map(writeModel) });
    } catch (error) {
      logger.log('error', 'state_not_saved', { error: (error as Error).message });
    }
  };
  // Evaluation: every closed window past its grace period, and windows whose late labels arrived.
  let evaluating = false;
  const evaluate = async () => {
    if (evaluating) return; // a slow tick is never overlapped by the next
    evaluating = true;
    try {
      const report = await evaluator.tick(Date.now());
      for (const f of report.failed) logger.log('warn', 'evaluation_failed', f);
      if (report.evaluated.length || report.reevaluated.length) persist();
    } catch (error) {
      logger.log('warn', 'evaluation_tick_failed', { error: (error as Error).message });
    } finally {
      evaluating = false;
    }
  };
  const evaluateTicker = setInterval(() => void evaluate(), config.evaluation.intervalMs);
  evaluateTicker.unref();

  let fleet: GpuFleet | undefined;
  if (gpuConfigured(config)) fleet = startGpuFleet(config, store, registry, logger, (d) => decide(d, Date.now()));
  // Delivers queued alert transitions and re-announces firing ones (Alertmanager forgets silent alerts).
  const alertTicker = setInterval(() => {
    alerts.dispatch.tick(Date.now())
      .then((report) => report && alertMetrics.recordDrain(report))
      .catch((error: Error) => logger.log('warn', 'alert_delivery_failed', { error: error.message }));
  }, 5_000);
  alertTicker.unref();
  // Retention: drop partitions older than retentionDays, at start and every 6 hours.
  const retain = () => applyRetention(store, config.retentionDays, Date.now())
    .then((dropped) => dropped.length && logger.log('info', 'retention_dropped_partitions', { dropped }))
    .catch((error: Error) => logger.log('warn', 'retention_failed', { error: error.message }));
  void retain();
  const retentionTicker = setInterval(retain, 6 * 3_600_000);
  retentionTicker.unref();

  const app = await buildApp({
    tokens: config.http.tokens,
    registry,
    telemetry,
    tracer: tracing.tracer,
    logger,
    writer,
    ingestMetrics: metrics,
    maxMessageBytes: config.ingest.maxMessageBytes,
    models: config.ingest.models,
    store,
    baselines: new StoreBaselineCatalog(store),
    modelRegistry: models,
    alerts: alerts.dispatch,
    readiness: {
      clickhouse: () => store.ping(),
      ...(kafka ? { kafka: () => kafka.reachable() } : {}),
    },
  });
  await kafka?.start();
  const address = await app.listen({ port: config.http.port, host: config.http.host });
  logger.log('info', 'service_started', {
    address, clickhouse: config.clickhouse.url, database: config.clickhouse.database,
    models: models.list().map((m) => m.id), alert_sinks: alerts.sinks, gpu_fleet: fleet !== undefined, tracing: tracing.exporting,
  });

  let stopping: Promise<void> | undefined;
  return {
    app, address, store, registry, alerts, evaluator, models, decide,
    stop() {
      stopping ??= (async () => {
        logger.log('info', 'service_stopping', {});
        for (const t of [alertTicker, retentionTicker, evaluateTicker]) clearInterval(t);
        await app.close();
        await fleet?.stop();
        await kafka?.stop();
        await writer.close();
        while (evaluating) await new Promise((r) => setTimeout(r, 50));
        persist();
        await evaluationStore.close();
        await tracing.shutdown();
        await telemetry.shutdown();
        await store.close();
        logger.log('info', 'service_stopped', {});
      })();
      return stopping;
    },
  };
}
