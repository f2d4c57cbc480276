// Kafka ingest: one consumer group reads the predictions and labels topics. Each fetched batch is decoded and
// handed to the group-commit writer; its offset is committed only once ClickHouse acknowledged its rows.
// Fetching goes on while earlier batches are being stored (throughput), until the unstored backlog reaches
// `maxBacklogRows` — then the fetch loop waits (backpressure, bounded memory, e.g. while ClickHouse is down).
// At-least-once: a crash between insert and commit redelivers the batch; ReplacingMergeTree + FINAL readers
// make the redelivered rows invisible to every count. No message can stop the consumer (each one is stored or
// dead-lettered); should the consumer crash anyway it is logged, reported by /readyz and restarted.
import { Kafka, logLevel, type Consumer, type EachBatchPayload, type RetryOptions } from 'kafkajs';
import type { IngestMetrics } from '../telemetry/ingest-metrics.js';
import type { Logger } from '../telemetry/log.js';
import { decodePool, type MessageDecoder } from './decode-pool.js';
import type { AcceptedAge, DecodeReport, MessageKind } from './messages.js';
import type { BatchWriter } from './writer.js';

export interface KafkaIngestOptions {
  brokers: string[];
  clientId: string;
  groupId: string;
  predictionsTopic: string;
  labelsTopic: string;
  maxMessageBytes: number;
  /** Models accepted (empty: any); a live set, so a model declared through the API is accepted from then on. */
  models: string[] | ReadonlySet<string>;
  /** Event times accepted relative to now (always also within what the store holds). */
  age?: AcceptedAge;
  /** The consumer's own retries before a crash (kafkajs RetryOptions); tests make them short. */
  retry?: Pick<RetryOptions, 'retries' | 'initialRetryTime' | 'maxRetryTime'>;
  /** Wait before a crashed consumer that kafkajs does not restart is started again. */
  restartDelayMs?: number;
  /** A new consumer group starts at the earliest offset so nothing produced before the first start is lost. */
  fromBeginning?: boolean;
  /** How long the group waits for a silent member (a crashed replica) before handing its partitions on. */
  sessionTimeoutMs?: number;
  /** Unstored rows allowed in memory before fetching waits for ClickHouse (default: defaultMaxBacklogRows). */
  maxBacklogRows?: number;
  /** Bytes one fetch may bring (all partitions), and from one partition. */
  fetchMaxBytes?: number;
  fetchMaxBytesPerPartition?: number;
  /** Worker threads that decode fetched batches (decode-pool.ts); 0: on the main thread. */
  decodeThreads?: number;
}

/** What one fetch may bring, in all and from one partition: a fetched response waits in memory until its batches are
 *  decoded, so smaller fetches bound memory (bench:ingest: 611 → 450 MB peak RSS against 32 MB / 4 MB, same run; its
 *  bare consumer fetches the same way). */
export const FETCH_DEFAULTS = { maxBytes: 8 * 1024 * 1024, maxBytesPerPartition: 1024 * 1024 } as const;

/** The backlog that lets a batch fill while the one before it is written (2.5 batches, at least 50 000 rows): a
 *  fixed limit below a larger DRIFTWATCH_BATCH_SIZE would cut every insert down to the limit. */
export function defaultMaxBacklogRows(batchSize: number): number {
  return Math.max(50_000, Math.ceil(2.5 * batchSize));
}

export class KafkaIngest {
  private readonly kafka: Kafka;
  private consumer: Consumer | undefined;
  private readonly models: ReadonlySet<string>;
  /** Highest offset committed (or being committed) per "topic/partition", so commits never go backwards. */
  private readonly committed = new Map<string, bigint>();
  private commits: Promise<void> = Promise.resolve();
  /** Offsets stored but not yet sent, per "topic/partition": the next commit request takes all of them at once. */
  private readonly toCommit = new Map<string, { topic: string; partition: number; offset: bigint }>();
  private readonly storing = new Set<Promise<void>>();
  private handling = 0;
  /** Commits refused during a rebalance, per "topic/partition": retried once the group has settled (retryCommits). */
  private readonly failedCommits = new Map<string, { topic: string; partition: number; offset: bigint }>();
  /** Bumped when the consumer crashes or a batch could not be stored: batches fetched before are never committed
   *  (a later offset would skip the lost one), the restarted consumer reads them again from the last commit. */
  private generation = 0;
  private consuming = false;
  private stopping = false;
  private restarting: Promise<void> | undefined;
  private readonly decoder: MessageDecoder;
  /** Unstored rows at which fetching waits. */
  private readonly maxBacklog: number;

  constructor(
    private readonly options: KafkaIngestOptions,
    private readonly writer: BatchWriter,
    private readonly metrics?: IngestMetrics,
    private readonly logger?: Logger,
    private readonly now: () => number = Date.now,
  ) {
    if (options.brokers.length === 0) throw new Error('no Kafka brokers configured (DRIFTWATCH_KAFKA_BROKERS)');
    this.kafka = new Kafka({ clientId: options.clientId, brokers: options.brokers, logLevel: logLevel.NOTHING, retry: { retries: 8 } });
    this.models = options.models instanceof Set ? options.models : new Set(options.models);
    this.decoder = decodePool(options.decodeThreads ?? 0);
    this.maxBacklog = options.maxBacklogRows ?? defaultMaxBacklogRows(writer.batchSize);
  }

  /** Whether the consumer is in its group and consuming (false from a crash until it has joined again). */
  get ready(): boolean {
    return this.consuming;
  }

  async start(): Promise<void> {
    const sessionTimeout = this.options.sessionTimeoutMs ?? 30_000;
    const heartbeatInterval = Math.max(500, Math.floor(sessionTimeout / 10));
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      maxBytesPerPartition: this.options.fetchMaxBytesPerPartition ?? FETCH_DEFAULTS.maxBytesPerPartition,
      maxBytes: this.options.fetchMaxBytes ?? FETCH_DEFAULTS.maxBytes,
      sessionTimeout,
      // A rebalance is learnt from a heartbeat, and kafkajs heartbeats between fetches: frequent heartbeats and an
      // idle long poll no longer than about two of them make every member rejoin within ~1 s, so the coordinator
      // completes a rebalance as soon as the members are back instead of waiting out the rebalance timeout.
      heartbeatInterval,
      maxWaitTimeInMs: Math.min(5_000, 2 * heartbeatInterval),
      ...(this.options.retry ? { retry: this.options.retry } : {}),
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.consuming = true;
      void this.retryCommits(e.payload.memberAssignment);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.consuming = false;
      this.generation += 1;
      if (this.stopping) return;
      this.logger?.log('error', 'kafka_consumer_crashed', { error: payload.error.message, restart: payload.restart ? 'by kafkajs' : 'by driftwatch' });
      if (!payload.restart) void this.restart(consumer);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.options.predictionsTopic, this.options.labelsTopic], fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 8,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.logger?.log('info', 'kafka_ingest_started', { topics: [this.options.predictionsTopic, this.options.labelsTopic], group: this.options.groupId });
  }

  /** A new consumer in place of one that crashed (and kafkajs gave up on) or lost a batch, after a pause, until it
   *  starts; it reads on from the last commit. */
  private restart(old: Consumer): Promise<void> {
    this.consuming = false;
    this.generation += 1;
    this.restarting ??= (async () => {
      await old.disconnect().catch(() => undefined);
      while (!this.stopping) {
        await new Promise((r) => setTimeout(r, this.options.restartDelayMs ?? 5_000).unref());
        if (this.stopping) break;
        try {
          await this.start();
          if (this.stopping) await this.consumer?.disconnect().catch(() => undefined); // stop() came meanwhile
          else this.logger?.log('info', 'kafka_consumer_restarted', {});
          break;
        } catch (error) {
          this.logger?.log('error', 'kafka_consumer_restart_failed', { error: (error as Error).message });
        }
      }
    })().finally(() => (this.restarting = undefined));
    return this.restarting;
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    this.handling += 1;
    try {
      await this.storeBatch(payload);
    } finally {
      this.handling -= 1;
    }
  }

  private async storeBatch({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const kind: MessageKind = batch.topic === this.options.labelsTopic ? 'label' : 'prediction';
    const generation = this.generation;
    let report: DecodeReport;
    try {
      report = await this.decoder.decode(
        kind, 'kafka',
        batch.messages.map((m) => ({ value: m.value, topic: batch.topic, partition: batch.partition, offset: m.offset })),
        this.options.maxMessageBytes, { models: this.models, age: this.options.age, rowBinary: this.writer.takesRowBinary }, this.now(),
      );
    } catch (error) {
      // a decode thread died (decode-pool.ts): like a batch not stored, it is read again after a restart
      this.logger?.log('error', 'batch_not_decoded', { topic: batch.topic, partition: batch.partition, error: (error as Error).message });
      if (!this.stopping && this.consumer) void this.restart(this.consumer);
      return;
    }
    const next = BigInt(batch.lastOffset()) + 1n;
    const stored = this.writer.submit(report.batch).then((result) => {
      failpoint('crash-after-insert');
      this.recordStored(kind, batch.topic, batch.messages.length, report, result.refused.length);
      return generation === this.generation ? this.commit(batch.topic, batch.partition, next) : undefined;
    });
    // A batch that is not stored is never committed, nor is anything fetched after it: the consumer is restarted
    // and reads it again from the last commit.
    const tracked = stored.catch((error: Error) => {
      this.logger?.log('error', 'batch_not_stored', { topic: batch.topic, partition: batch.partition, error: error.message });
      if (!this.stopping && this.consumer) void this.restart(this.consumer);
    });
    this.storing.add(tracked);
    void tracked.finally(() => this.storing.delete(tracked));
    if (this.writer.backlog >= this.maxBacklog) {
      // Backpressure: stop fetching until the unstored rows fall below the limit (a write ended); keep the group
      // membership alive meanwhile.
      const beat = setInterval(() => void heartbeat().catch(() => undefined), 2_000);
      try {
        await this.writer.backlogBelow(this.maxBacklog);
      } finally {
        clearInterval(beat);
      }
    }
  }

  private recordStored(kind: MessageKind, topic: string, total: number, report: DecodeReport, refusedByStore: number): void {
    this.metrics?.messages.inc({ kind, outcome: 'stored' }, total - report.rejected.length - refusedByStore);
    if (report.rejected.length + refusedByStore) this.metrics?.messages.inc({ kind, outcome: 'rejected' }, report.rejected.length + refusedByStore);
    if (report.rejected.length) {
      for (const r of report.rejected) this.metrics?.deadLetters.inc({ source: 'kafka', reason: r.code });
      this.logger?.log('warn', 'messages_dead_lettered', { topic, count: report.rejected.length, first_reason: report.rejected[0].reason });
    }
    if (report.newestEventMs > 0) this.metrics?.lagSeconds.set({ topic }, Math.max(0, (this.now() - report.newestEventMs) / 1000));
  }

  /** Commits are serialized and monotonic per partition; the offsets of batches stored while a commit request is
   *  in flight go together in the next one (one request for many partitions). */
  private commit(topic: string, partition: number, offset: bigint): Promise<void> {
    const key = `${topic}/${partition}`;
    if ((this.committed.get(key) ?? -1n) >= offset) return this.commits;
    this.committed.set(key, offset);
    const queued = this.toCommit.size > 0; // a request not yet sent will take this offset too
    this.toCommit.set(key, { topic, partition, offset });
    if (!queued) this.commits = this.commits.then(() => this.commitQueued());
    return this.commits;
  }

  private async commitQueued(): Promise<void> {
    const offsets = [...this.toCommit.entries()];
    this.toCommit.clear();
    if (!this.consumer || offsets.length === 0) return;
    try {
      await this.consumer.commitOffsets(offsets.map(([, c]) => ({ topic: c.topic, partition: c.partition, offset: c.offset.toString() })));
      for (const [key, c] of offsets) if ((this.failedCommits.get(key)?.offset ?? -1n) <= c.offset) this.failedCommits.delete(key);
    } catch (error) {
      // Refused during a rebalance: retried once the group settles, if the partition is still ours (retryCommits);
      // if it moved, its new owner re-reads from the last commit and dedup absorbs the repeat.
      for (const [key, c] of offsets) this.failedCommits.set(key, c);
      this.logger?.log('warn', 'commit_failed', { partitions: offsets.map(([key]) => key).join(','), error: (error as Error).message, retry: 'after_rebalance' });
    }
  }

  /** After a (re)join: commits refused before it, for the partitions this member still has; the others are dropped. */
  private retryCommits(assignment: Record<string, number[]>): void {
    const retry = [...this.failedCommits.entries()];
    this.failedCommits.clear();
    for (const [key, c] of retry) {
      if (!(assignment[c.topic] ?? []).includes(c.partition)) continue;
      // the newest offset asked for (a later commit may be in flight), let through commit()'s monotonic check again
      const offset = this.committed.get(key) ?? c.offset;
      this.committed.delete(key);
      void this.commit(c.topic, c.partition, offset);
    }
    if (retry.length) this.logger?.log('info', 'commits_retried', { partitions: retry.length });
  }

  /** Whether the brokers answer a metadata request within `timeoutMs` (for /readyz). */
  async reachable(timeoutMs = 2_000): Promise<boolean> {
    const admin = this.kafka.admin({ retry: { retries: 0 } });
    const attempt = (async () => {
      await admin.connect();
      await admin.describeCluster();
      return true;
    })();
    const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref());
    try {
      return await Promise.race([attempt.catch(() => false), timeout]);
    } finally {
      void admin.disconnect().catch(() => undefined);
    }
  }

  /** Drains: stop fetching (pause keeps the group membership commits need), store what was fetched, commit it,
   *  then leave the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    const consumer = this.consumer;
    if (!consumer) return;
    try {
      consumer.pause([{ topic: this.options.predictionsTopic }, { topic: this.options.labelsTopic }]);
    } catch {
      // a crashed consumer is not running ("Consumer group was not initialized"): there is nothing to pause
    }
    while (this.handling > 0) await new Promise((r) => setTimeout(r, 20));
    await this.writer.flush();
    await Promise.all([...this.storing]);
    await this.commits;
    this.consumer = undefined;
    this.consuming = false;
    await this.decoder.close();
    await consumer.disconnect().catch((error: Error) => this.logger?.log('warn', 'kafka_disconnect_failed', { error: error.message }));
    this.logger?.log('info', 'kafka_ingest_stopped', {});
  }
}

// Test hook for the crash test (kill between insert and commit); inert unless the variable names this point.
function failpoint(name: string): void {
  if (process.env.DRIFTWATCH_FAILPOINT === name) process.kill(process.pid, 'SIGKILL');
}
