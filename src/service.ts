// The running service: ingest (Kafka + HTTP) → ClickHouse; windowed evaluation → alert lifecycle → sinks; GPU
// fleet; one /metrics; health. Started by `driftwatch serve` and by the demo. stop() drains in-flight batches,
// commits their offsets, and closes everything.
import type { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app.js';
import { requireScope, tokenChecker } from './api/auth.js';
import { StoreBaselineCatalog } from './api/baseline-store.js';
import type { AlertEvent, StreamDecision } from './alerting/index.js';
import type { GpuFleet } from './collectors/fleet.js';
import { acceptedAge, type Config } from './config/index.js';
import { KafkaOwnership } from './coordination/kafka-ownership.js';
import { SoleOwnership, type Ownership } from './coordination/ownership.js';
import { SharedState } from './coordination/shared-state.js';
import { Evaluator, storedBaselines, writeModel, type ModelRegistry } from './evaluate/index.js';
import { defaultDecodeThreads } from './ingest/decode-pool.js';
import { KafkaIngest } from './ingest/kafka.js';
import { orphanLabels } from './ingest/orphans.js';
import { BatchWriter } from './ingest/writer.js';
import { applyRetention, clusterState, storeFromConfig, type Store } from './store/index.js';
import { alertingMetrics } from './telemetry/alerting-metrics.js';
import { evaluateMetrics } from './telemetry/evaluate-metrics.js';
import { ingestMetrics } from './telemetry/ingest-metrics.js';
import type { Logger } from './telemetry/log.js';
import { startTracing } from './telemetry/otel.js';
import { createTelemetry } from './telemetry/registry.js';
import { alertPath, type AlertPath } from './wiring/alerting.js';
import { gpuConfigured, startGpuFleet } from './wiring/gpu.js';
import { modelRegistry } from './wiring/models.js';
import { Replicas } from './wiring/replicas.js';
import { loadState, saveState, setAside } from './wiring/state.js';

export interface Service {
  app: FastifyInstance;
  address: string;
  store: Store;
  registry: Registry;
  alerts: AlertPath;
  evaluator: Evaluator;
  models: ModelRegistry;
  /** who evaluates and alerts for which model (sole, or a share of the Kafka ownership group) */
  ownership: Ownership;
  /** Routes decisions (drift, quality, GPU) into the alert lifecycle and keeps the alert gauges current. */
  decide(decisions: StreamDecision[], now: number): Promise<AlertEvent[]>;
  /** Counts the labels ingested since the last check (up to `now` − 60 s) whose prediction was never stored. */
  checkOrphanLabels(now: number): Promise<number>;
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
  // Models ingest accepts: any when DRIFTWATCH_MODELS is empty, else those and every model declared to the evaluator
  // (models file, saved and new API declarations) — one live set shared by Kafka and HTTP ingest.
  const accepted = new Set(config.ingest.models);
  const age = acceptedAge(config);

  let kafka: KafkaIngest | undefined;
  if (config.kafka.brokers.length > 0) {
    kafka = new KafkaIngest({
      brokers: config.kafka.brokers, clientId: config.kafka.clientId, groupId: config.kafka.consumerGroup,
      predictionsTopic: config.kafka.predictionsTopic, labelsTopic: config.kafka.labelsTopic,
      maxMessageBytes: config.ingest.maxMessageBytes, models: accepted, age,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      decodeThreads: config.ingest.decodeThreads < 0 ? defaultDecodeThreads() : config.ingest.decodeThreads,
    }, writer, metrics, logger);
  } else {
    logger.log('warn', 'kafka_disabled', { hint: 'set DRIFTWATCH_KAFKA_BROKERS to consume the predictions and labels topics' });
  }
  if (config.http.tokens.length === 0) {
    logger.log('warn', 'no_api_tokens', { hint: 'HTTP ingest and admin routes answer 401 until DRIFTWATCH_API_TOKENS is set' });
  }

  // Replicas (Kafka configured, or DRIFTWATCH_COORDINATION=kafka): the ownership group gives each model one owner,
  // and the state a restart or a new owner needs lives in ClickHouse; one replica without Kafka keeps its data dir.
  const replicated = config.coordination.mode === 'kafka' || (config.coordination.mode === 'auto' && config.kafka.brokers.length > 0);
  const ownership: Ownership = replicated
    ? new KafkaOwnership({
      brokers: config.kafka.brokers, clientId: config.kafka.clientId, groupId: `${config.kafka.consumerGroup}-owners`,
      topic: config.coordination.controlTopic, partitions: config.coordination.controlPartitions, sessionTimeoutMs: config.kafka.sessionTimeoutMs, logger,
    })
    : new SoleOwnership();
  const shared = new SharedState(store);
  let replicas: Replicas | undefined;
  // GPU degradations ("gpu:<host>") stay with the replica that collects them: point one replica at the targets
  const fleetAlert = (model: string) => model.startsWith('gpu:');
  const owns = (model: string) => !replicas || fleetAlert(model) || replicas.owns(model);
  const alerts = await alertPath(config, store, replicated
    ? { owns, sendable: (m) => replicas?.sendable(m) ?? false, forward: { acknowledge: (e) => replicas!.forwardAcknowledge(e) } }
    : undefined);
  // each replica counts the alerts it owns: summed over replicas, every alert once
  const showFiring = () => alertMetrics.setFiring(alerts.dispatch.book.firing().filter((a) => owns(a.model)));
  const record = async (decisions: StreamDecision[], now: number): Promise<AlertEvent[]> => {
    const events = await alerts.dispatch.decide(decisions, now);
    for (const e of events) {
      alertMetrics.transitions.inc({ status: e.status });
      logger.log('info', 'alert_transition', { alert: e.alertId, seq: e.seq, model: e.model, feature: e.feature, kind: e.kind, status: e.status, window_start: e.window.start });
    }
    showFiring();
    return events;
  };
  const decide = async (decisions: StreamDecision[], now: number): Promise<AlertEvent[]> => {
    const r = replicas;
    if (!r) {
      const events = await record(decisions, now);
      if (events.length) persist();
      return events;
    }
    const fleet = decisions.filter((d) => fleetAlert(d.model));
    const events = fleet.length ? await r.serial(() => record(fleet, now)) : [];
    return [...events, ...await r.decide(decisions.filter((d) => !fleetAlert(d.model)), (owned) => record(owned, now))];
  };

  // Evidence of the sequential tests, the firing alerts and the models declared through the API survive a restart
  // (data dir, or ClickHouse with replicas), so a restart neither forgets an alert it must resolve, nor starts the
  // evidence over, nor stops evaluating a model an operator declared.
  const saved = replicated ? { state: null } : loadState(config.dataDir);
  if (saved.problem) logger.log('warn', 'state_unreadable', { problem: saved.problem });
  const savedModels = replicated ? (await shared.read<Record<string, unknown>>('model')).filter((r) => !r.deleted).map((r) => r.body) : saved.state?.models ?? [];
  const wiring = modelRegistry(config, savedModels);
  for (const problem of wiring.skipped) logger.log('warn', 'saved_model_not_restored', { problem });
  const models = wiring.registry;
  const apiModels = new Map(wiring.restored.map((m) => [m.id, m]));
  if (accepted.size > 0) for (const m of models.list()) accepted.add(m.id);
  models.onDeclare((m) => {
    apiModels.set(m.id, m);
    if (accepted.size > 0) accepted.add(m.id);
    if (!replicated) {
      persist();
      alertMetrics.setOwned(models.list().length);
    }
  });
  if (!replicated) alertMetrics.setOwned(models.list().length);
  // Window aggregations over millions of rows take far longer than an insert: their own, longer timeout.
  const evaluationStore = storeFromConfig({ ...config, clickhouse: { ...config.clickhouse, requestTimeoutMs: config.evaluation.queryTimeoutMs } });
  const evaluator = new Evaluator({
    store: evaluationStore, models, baselines: storedBaselines(store), policy: alerts.policy, metrics: evaluateMetrics(registry),
    onDecisions: async (decisions) => void (await decide(decisions, Date.now())),
    onPolicyError: (error, evaluation) => logger.log('error', 'policy_failed', { model: evaluation.model, window_start: evaluation.start, error: (error as Error).message }),
    ...(replicated ? {
      owns,
      prepare: async (ids: string[]) => void (await replicas!.serial(async () => { for (const id of ids) await replicas!.ensureHeld(id); })),
      rejudgeMarked: true,
      // the evidence is stored after every window the tests take, so a new owner continues from the last one
      onJudged: (model: string) => replicas!.serial(() => replicas!.saveChanged([model])),
    } : {}),
    multivariateSampleRows: config.evaluation.multivariateSampleRows,
    settleMs: config.evaluation.settleMs >= 0 ? config.evaluation.settleMs : replicated || config.kafka.brokers.length > 0 ? 10_000 : 0,
  });
  if (replicated) {
    replicas = new Replicas({ ownership, shared, evaluator, dispatch: alerts.dispatch, outbox: alerts.outbox, models, fromFile: wiring.fromFile, logger });
  }
  let closing = false;
  const sync = async () => {
    if (!replicas || closing) return;
    await replicas.serial(() => replicas!.sync());
    alertMetrics.setOwned(replicas.owned().length);
    showFiring();
  };
  // a change of ownership is acted on at once (a takeover should not wait for the next tick)
  ownership.onChange(() => void sync().catch((error: Error) => logger.log('warn', 'replica_sync_failed', { error: error.message })));
  if (saved.state) {
    try {
      evaluator.restoreJudgeState(saved.state.judge);
      alerts.dispatch.book.restore(saved.state.alerts);
    } catch (error) {
      // the shape was checked; should the content still not restore, start clean rather than not at all
      evaluator.restoreJudgeState({});
      alerts.dispatch.book.restore({ alerts: [], silences: [], nextSilence: 1 });
      logger.log('warn', 'state_unreadable', { problem: setAside(config.dataDir, `not restorable (${(error as Error).message})`) });
    }
    alertMetrics.setFiring(alerts.dispatch.book.firing());
  }
  const persist = () => {
    if (replicated) return; // replicas store each model's state as it changes (wiring/replicas.ts)
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
      // windows whose labels never came are reported, not judged (evaluate/labelled.ts)
      for (const l of report.labelled) if (l.outcome === 'unlabelled') logger.log('warn', 'window_unlabelled', { model: l.model, window_start: l.start, label_coverage: l.coverage });
      if (report.evaluated.length || report.reevaluated.length || report.labelled.length) persist();
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
  const alertTick = async () => {
    if (!replicas) return alerts.dispatch.tick(Date.now());
    await sync();
    return replicas.serial(async () => {
      const report = await alerts.dispatch.tick(Date.now());
      await replicas!.saveChanged(); // settled deliveries: the next owner must not send them again
      return report;
    });
  };
  const alertTicker = setInterval(() => {
    alertTick()
      .then((report) => report && alertMetrics.recordDrain(report))
      .catch((error: Error) => logger.log('warn', 'alert_delivery_failed', { error: error.message }));
  }, replicated ? Math.min(5_000, Math.max(1_000, Math.floor(config.kafka.sessionTimeoutMs / 4))) : 5_000);
  alertTicker.unref();
  // Retention: drop partitions older than retentionDays, at start and every 6 hours.
  const retain = () => applyRetention(store, config.retentionDays, Date.now())
    .then((dropped) => dropped.length && logger.log('info', 'retention_dropped_partitions', { dropped }))
    .catch((error: Error) => logger.log('warn', 'retention_failed', { error: error.message }));
  void retain();
  const retentionTicker = setInterval(retain, 6 * 3_600_000);
  retentionTicker.unref();
  // Labels whose prediction was never stored: counted every 5 minutes over the labels ingested since the last look.
  let orphansFrom = Date.now() - 60_000;
  const checkOrphanLabels = async (now: number): Promise<number> => {
    const to = Math.floor((now - 60_000) / 1000) * 1000; // a second is looked at once its labels have settled
    if (to <= orphansFrom) return 0;
    const found = await orphanLabels(store, orphansFrom, to);
    orphansFrom = to;
    const total = found.reduce((s, f) => s + f.orphans, 0);
    if (total > 0) {
      metrics.orphanLabels.inc(total);
      logger.log('warn', 'orphan_labels', { labels: total, models: found.slice(0, 10) });
    }
    return total;
  };
  const orphanTicker = setInterval(() => void checkOrphanLabels(Date.now()).catch((error: Error) => logger.log('warn', 'orphan_label_check_failed', { error: error.message })), 5 * 60_000);
  orphanTicker.unref();

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
    acceptedModels: accepted,
    ingestAge: age,
    onStateChange: () => persist(),
    store,
    baselines: new StoreBaselineCatalog(store),
    modelRegistry: models,
    alerts: alerts.dispatch,
    ...(store.cluster ? { clusterState: () => clusterState(store) } : {}),
    readiness: {
      clickhouse: () => store.ping(), // on a cluster: every shard has a replica that answers
      ...(kafka ? { kafka: () => kafka.reachable(), kafka_consumer: async () => kafka.ready } : {}),
    },
  });
  // which models this replica evaluates and alerts for now, and under which epoch (operators, load balancers)
  const read = requireScope(tokenChecker(config.http.tokens), 'read');
  app.get('/v1/ownership', {
    preHandler: read,
    schema: { tags: ['health'], summary: 'Models this replica evaluates and alerts for, and its share of the ownership group', response: { 200: { type: 'object', additionalProperties: true } } },
  }, async () => ({ ...ownership.view(), models: replicas ? replicas.owned() : models.list().map((m) => m.id) }));
  // ingest does not wait for ownership: both join their groups at once
  await Promise.all([ownership.start(), kafka?.start()]);
  await sync().catch((error: Error) => logger.log('warn', 'replica_sync_failed', { error: error.message }));
  const address = await app.listen({ port: config.http.port, host: config.http.host });
  logger.log('info', 'service_started', {
    address, clickhouse: config.clickhouse.url, database: config.clickhouse.database, coordination: ownership.view().mode,
    models: models.list().map((m) => m.id), alert_sinks: alerts.sinks, gpu_fleet: fleet !== undefined, tracing: tracing.exporting,
  });

  let stopping: Promise<void> | undefined;
  return {
    app, address, store, registry, alerts, evaluator, models, ownership, decide, checkOrphanLabels,
    stop() {
      stopping ??= (async () => {
        logger.log('info', 'service_stopping', {});
        // The drain deadline is set first: the Kafka stop waits for the writer, which then retries no longer than it.
        writer.retryFor(Math.max(0, config.shutdownTimeoutMs - 2_000));
        for (const t of [alertTicker, retentionTicker, evaluateTicker, orphanTicker]) clearInterval(t);
        persist(); // saved before anything that may wait on ClickHouse or Kafka, and again at the end
        await app.close();
        await fleet?.stop();
        await kafka?.stop();
        await writer.close();
        while (evaluating) await new Promise((r) => setTimeout(r, 50));
        persist();
        // store every owned model's state, then leave the group: the others take over without waiting a session
        closing = true;
        await replicas?.serial(() => replicas!.releaseAll());
        await ownership.stop();
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
