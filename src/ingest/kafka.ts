// Kafka ingest: one consumer group reads the predictions and labels topics; each fetched batch is decoded,
// handed to the group-commit writer, and its offset committed only after ClickHouse acknowledged the rows.
// At-least-once: a crash between insert and commit redelivers the batch; ReplacingMergeTree + FINAL readers
// make the redelivered rows invisible to every count.
import { Kafka, logLevel, type Consumer, type EachBatchPayload } from 'kafkajs';
import type { IngestMetrics } from '../telemetry/ingest-metrics.js';
import type { Logger } from '../telemetry/log.js';
import { decodeMessages, type MessageKind } from './messages.js';
import type { BatchWriter } from './writer.js';

export interface KafkaIngestOptions {
  brokers: string[];
  clientId: string;
  groupId: string;
  predictionsTopic: string;
  labelsTopic: string;
  maxMessageBytes: number;
  models: string[];
  /** A new consumer group starts at the earliest offset so nothing produced before the first start is lost. */
  fromBeginning?: boolean;
  /** How long the group waits for a silent member (a crashed replica) before handing its partitions on. */
  sessionTimeoutMs?: number;
}

export class KafkaIngest {
  private readonly kafka: Kafka;
  private consumer: Consumer | undefined;
  private readonly models: ReadonlySet<string>;
  private inFlight = 0;

  constructor(
    private readonly options: KafkaIngestOptions,
    private readonly writer: BatchWriter,
    private readonly metrics?: IngestMetrics,
    private readonly logger?: Logger,
    private readonly now: () => number = Date.now,
  ) {
    if (options.brokers.length === 0) throw new Error('no Kafka brokers configured (DRIFTWATCH_KAFKA_BROKERS)');
    this.kafka = new Kafka({ clientId: options.clientId, brokers: options.brokers, logLevel: logLevel.NOTHING, retry: { retries: 8 } });
    this.models = new Set(options.models);
  }

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 3_000,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.options.predictionsTopic, this.options.labelsTopic], fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 8,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.logger?.log('info', 'kafka_ingest_started', { topics: [this.options.predictionsTopic, this.options.labelsTopic], group: this.options.groupId });
  }

  private async handleBatch({ batch, heartbeat, isStale }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    this.inFlight += 1;
    try {
      const kind: MessageKind = batch.topic === this.options.labelsTopic ? 'label' : 'prediction';
      const report = decodeMessages(
        kind, 'kafka',
        batch.messages.map((m) => ({ value: m.value, topic: batch.topic, partition: batch.partition, offset: m.offset })),
        this.options.maxMessageBytes, { models: this.models }, this.now(),
      );
      const stored = this.writer.submit(report.batch);
      // Keep the group membership alive while ClickHouse is slow or down (we are waiting, not dead).
      const beat = setInterval(() => void heartbeat().catch(() => undefined), 2_000);
      try {
        await stored;
      } finally {
        clearInterval(beat);
      }
      failpoint('crash-after-insert');
      if (isStale()) return; // partition moved to another member during the wait; it re-reads, dedup absorbs it
      await this.consumer!.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }]);
      const accepted = batch.messages.length - report.rejected.length;
      this.metrics?.messages.inc({ kind, outcome: 'stored' }, accepted);
      if (report.rejected.length) {
        this.metrics?.messages.inc({ kind, outcome: 'rejected' }, report.rejected.length);
        for (const r of report.rejected) this.metrics?.deadLetters.inc({ source: 'kafka', reason: r.code });
        this.logger?.log('warn', 'messages_dead_lettered', { topic: batch.topic, partition: batch.partition, count: report.rejected.length, first_reason: report.rejected[0].reason });
      }
      if (report.newestEventMs > 0) this.metrics?.lagSeconds.set({ topic: batch.topic }, Math.max(0, (this.now() - report.newestEventMs) / 1000));
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Drains: lets in-flight batches finish storing and committing, then leaves the group. */
  async stop(): Promise<void> {
    if (!this.consumer) return;
    void this.writer.flush();
    await this.consumer.disconnect();
    this.consumer = undefined;
    this.logger?.log('info', 'kafka_ingest_stopped', {});
  }
}

// Test hook for the crash test (kill between insert and commit); inert unless the variable names this point.
function failpoint(name: string): void {
  if (process.env.DRIFTWATCH_FAILPOINT === name) process.kill(process.pid, 'SIGKILL');
}
