// The running service: ingest (Kafka + HTTP) → ClickHouse, /metrics, health. Started by `driftwatch serve`
// and by the demo; stop() drains in-flight batches, commits their offsets, and closes everything.
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app.js';
import type { Config } from './config/index.js';
import { KafkaIngest } from './ingest/kafka.js';
import { BatchWriter } from './ingest/writer.js';
import { applyRetention, storeFromConfig, type Store } from './store/index.js';
import { ingestMetrics } from './telemetry/ingest-metrics.js';
import type { Logger } from './telemetry/log.js';
import { alertPath, type AlertPath } from './wiring/alerting.js';
import { gpuConfigured, startGpuFleet } from './wiring/gpu.js';
import type { GpuFleet } from './collectors/fleet.js';

export interface Service {
  app: FastifyInstance;
  address: string;
  store: Store;
  registry: Registry;
  alerts: AlertPath;
  stop(): Promise<void>;
}

export async function startService(config: Config, logger: Logger): Promise<Service> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'driftwatch_' });
  const metrics = ingestMetrics(registry);
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

  const app = await buildApp({
    tokens: config.http.tokens,
    registry,
    writer,
    ingestMetrics: metrics,
    maxMessageBytes: config.ingest.maxMessageBytes,
    models: config.ingest.models,
    readiness: {
      clickhouse: () => store.ping(),
      ...(kafka ? { kafka: () => kafka.reachable() } : {}),
    },
  });
  const alerts = await alertPath(config, store);
  let fleet: GpuFleet | undefined;
  if (gpuConfigured(config)) fleet = startGpuFleet(config, store, registry, logger, (d) => alerts.dispatch.decide(d, Date.now()));
  // Delivers queued alert transitions and re-announces firing ones (Alertmanager forgets silent alerts).
  const alertTicker = setInterval(() => {
    alerts.dispatch.tick(Date.now()).catch((error: Error) => logger.log('warn', 'alert_delivery_failed', { error: error.message }));
  }, 5_000);
  alertTicker.unref();
  // Retention: drop partitions older than retentionDays, at start and every 6 hours.
  const retain = () => applyRetention(store, config.retentionDays, Date.now())
    .then((dropped) => dropped.length && logger.log('info', 'retention_dropped_partitions', { dropped }))
    .catch((error: Error) => logger.log('warn', 'retention_failed', { error: error.message }));
  void retain();
  const retentionTicker = setInterval(retain, 6 * 3_600_000);
  retentionTicker.unref();

  await kafka?.start();
  const address = await app.listen({ port: config.http.port, host: config.http.host });
  logger.log('info', 'service_started', { address, clickhouse: config.clickhouse.url, database: config.clickhouse.database, alert_sinks: alerts.sinks, gpu_fleet: fleet !== undefined });

  let stopping: Promise<void> | undefined;
  return {
    app, address, store, registry, alerts,
    stop() {
      stopping ??= (async () => {
        logger.log('info', 'service_stopping', {});
        clearInterval(alertTicker);
        clearInterval(retentionTicker);
        await app.close();
        await fleet?.stop();
        await kafka?.stop();
        await writer.close();
        await store.close();
        logger.log('info', 'service_stopped', {});
      })();
      return stopping;
    },
  };
}
