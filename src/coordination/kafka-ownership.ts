// Ownership from Kafka's group coordinator: every replica consumes the control topic in one consumer group; the
// replica assigned a partition owns the models that hash to it (partition.ts). No consensus of our own: the
// coordinator gives each partition to one live member per generation, and takes it back when the member's session
// lapses. Fencing: on every assignment the new owner appends a claim record to each partition it got; the record's
// offset (monotonic, assigned by the broker) is the epoch its writes are versioned with (wiring/replicas.ts).
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import type { Logger } from '../telemetry/log.js';
import type { Ownership, OwnershipView } from './ownership.js';
import { partitionOf } from './partition.js';

export interface KafkaOwnershipOptions {
  brokers: string[];
  clientId: string;
  /** the ownership group (not the ingest group: its partitions are models, not prediction logs) */
  groupId: string;
  topic: string;
  /** partitions to create the control topic with when it does not exist */
  partitions: number;
  /** a silent member loses its models this long after its last heartbeat (also this replica's own lease) */
  sessionTimeoutMs: number;
  logger?: Logger;
  now?: () => number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

export class KafkaOwnership implements Ownership {
  private readonly kafka: Kafka;
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private partitionCount = 0;
  private member: string | null = null;
  /** partition → epoch, only once its claim is written */
  private owned = new Map<number, number>();
  /** the last sign from the coordinator that this member's session is live (heartbeat or join) */
  private lastContact = -Infinity;
  private joins = 0;
  /** the partitions of the current assignment (kept through a lapse: a heartbeat that succeeds again re-claims them) */
  private assigned: number[] = [];
  private claimInFlight: Promise<void> | null = null;
  private stopped = false;
  private readonly listeners: Array<() => void> = [];
  private firstClaim!: () => void;
  private readonly claimed = new Promise<void>((r) => (this.firstClaim = r));
  private readonly now: () => number;
  private readonly heartbeatMs: number;

  constructor(private readonly o: KafkaOwnershipOptions) {
    this.kafka = new Kafka({ clientId: `${o.clientId}-owner`, brokers: o.brokers, logLevel: logLevel.NOTHING, retry: { retries: 8 } });
    this.now = o.now ?? Date.now;
    // a tenth of the session: a rebalance is noticed (and owned models let go) within about one interval
    this.heartbeatMs = Math.max(500, Math.floor(o.sessionTimeoutMs / 10));
  }

  epochOf(model: string): number | null {
    if (this.partitionCount === 0 || !this.leaseHeld()) return null;
    return this.owned.get(partitionOf(model, this.partitionCount)) ?? null;
  }

  /** A member that has not heard from the coordinator for (session − a heartbeat) may already be replaced. */
  private leaseHeld(): boolean {
    return this.now() - this.lastContact < this.o.sessionTimeoutMs - this.heartbeatMs;
  }

  view(): OwnershipView {
    const held = this.leaseHeld();
    return {
      mode: 'kafka', member: this.member, joined: held && this.member !== null,
      partitions: held ? [...this.owned].sort((a, b) => a[0] - b[0]).map(([partition, epoch]) => ({ partition, epoch })) : [],
      partitionCount: this.partitionCount,
    };
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  async start(): Promise<void> {
    this.partitionCount = await this.ensureTopic();
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
    await this.producer.connect();
    await this.join();
    // a lapsed lease changes what is owned without any event
    const watch = setInterval(() => {
      if (this.owned.size > 0 && !this.leaseHeld()) this.revoke('session_lapsed');
    }, this.heartbeatMs);
    watch.unref();
    this.stopWatch = () => clearInterval(watch);
    // serve once this replica has its share (or after two sessions: it goes on and takes its share when it comes)
    const waited = await Promise.race([this.claimed.then(() => true), sleep(2 * this.o.sessionTimeoutMs).then(() => false)]);
    if (!waited) this.o.logger?.log('warn', 'ownership_not_assigned_yet', { waited_ms: 2 * this.o.sessionTimeoutMs });
    this.o.logger?.log('info', 'ownership_started', { topic: this.o.topic, partitions: this.partitionCount, group: this.o.groupId, owned: this.view().partitions });
  }

  private stopWatch = () => {};
  private restarts = 0;

  /** A consumer in the ownership group; one that kafkajs gives up on (a crash it does not restart) is replaced. */
  private async join(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.o.groupId,
      sessionTimeout: this.o.sessionTimeoutMs,
      rebalanceTimeout: this.o.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatMs,
      // the fetch loop is what heartbeats: an idle long poll must not outlast the heartbeat interval
      maxWaitTimeInMs: this.heartbeatMs,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.HEARTBEAT, () => {
      this.lastContact = this.now();
      // still a member after a lapse (the session had not expired after all): claim again, under a new epoch
      if (this.owned.size === 0 && this.assigned.length > 0 && !this.claimInFlight) void this.claim(this.assigned);
    });
    consumer.on(consumer.events.REBALANCING, () => {
      this.assigned = [];
      this.revoke('rebalancing');
    });
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.lastContact = this.now();
      this.member = e.payload.memberId;
      this.assigned = e.payload.memberAssignment[this.o.topic] ?? [];
      this.restarts = 0;
      void this.claim(this.assigned);
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.assigned = [];
      this.revoke('crashed');
      this.o.logger?.log('error', 'ownership_consumer_crashed', { error: e.payload.error.message, restart: e.payload.restart });
      if (!e.payload.restart && !this.stopped) void this.rejoin(consumer);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.o.topic], fromBeginning: false });
    await consumer.run({ autoCommit: false, eachBatch: async () => undefined });
  }

  private async rejoin(crashed: Consumer): Promise<void> {
    const delay = Math.min(30_000, 1_000 * 2 ** this.restarts++);
    await crashed.disconnect().catch(() => undefined);
    await sleep(delay);
    if (this.stopped || this.consumer !== crashed) return;
    this.o.logger?.log('info', 'ownership_consumer_restarted', { after_ms: delay });
    await this.join().catch((error: Error) => {
      this.o.logger?.log('error', 'ownership_consumer_not_restarted', { error: error.message });
      if (!this.stopped && this.consumer) void this.rejoin(this.consumer);
    });
  }

  /** The control topic's partition count; created with `partitions` when missing (a broker's auto-creation could give it one). */
  private async ensureTopic(): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(this.o.topic)) {
        // another replica may create it at the same moment; a broker refusing CreateTopics may still auto-create it
        await admin.createTopics({ topics: [{ topic: this.o.topic, numPartitions: this.o.partitions }] }).catch(() => false);
      }
      return (await admin.fetchTopicMetadata({ topics: [this.o.topic] })).topics[0]?.partitions.length ?? 0;
    } finally {
      await admin.disconnect();
    }
  }

  private revoke(reason: string): void {
    this.joins += 1; // a claim still being written belongs to the assignment that just ended
    if (this.owned.size === 0) return;
    this.owned = new Map();
    this.o.logger?.log('info', 'ownership_revoked', { reason });
    this.changed();
  }

  /** Writes a claim record to every assigned partition; its offset is the epoch. Retried until it lands. */
  private async claim(partitions: number[]): Promise<void> {
    this.revoke('assigned');
    const claim = this.claimAs(this.joins, partitions);
    this.claimInFlight = claim;
    try {
      await claim;
    } finally {
      if (this.claimInFlight === claim) this.claimInFlight = null;
    }
  }

  private async claimAs(join: number, partitions: number[]): Promise<void> {
    for (let attempt = 0; !this.stopped && join === this.joins; attempt++) {
      try {
        const value = JSON.stringify({ member: this.member, at: new Date(this.now()).toISOString() });
        const written = partitions.length === 0 ? [] : await this.producer!.send({ topic: this.o.topic, messages: partitions.map((partition) => ({ partition, value })) });
        if (join !== this.joins) return;
        this.owned = new Map(written.map((r) => [r.partition, Number(r.baseOffset)]));
        this.o.logger?.log('info', 'ownership_assigned', { member: this.member, partitions: [...this.owned].map(([p, epoch]) => ({ partition: p, epoch })) });
        this.firstClaim();
        this.changed();
        return;
      } catch (error) {
        this.o.logger?.log('warn', 'ownership_claim_failed', { attempt, error: (error as Error).message });
        await sleep(Math.min(5_000, 200 * 2 ** attempt));
      }
    }
  }

  /** Leaves the group at once (LeaveGroup), so the other replicas take the models over without waiting a session. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWatch();
    this.revoke('stopping');
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    this.consumer = undefined;
    this.producer = undefined;
  }
}
