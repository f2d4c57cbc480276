// Who evaluates and alerts for a model. One replica alone owns everything (SoleOwnership); several replicas get
// their share from Kafka's group coordinator (kafka-ownership.ts). Every owned model carries a fencing epoch: the
// state a new owner writes is versioned above anything its predecessor could still write late.

export interface OwnershipView {
  mode: 'sole' | 'kafka';
  /** this replica's member id in the ownership group (kafka) */
  member: string | null;
  /** whether this replica is a member of the group now (its session is live and its claims are written) */
  joined: boolean;
  /** control-topic partitions owned now, with the epoch of each */
  partitions: Array<{ partition: number; epoch: number }>;
  partitionCount: number;
}

export interface Ownership {
  /** The epoch under which this replica owns `model` now, or null when it does not (another replica does). */
  epochOf(model: string): number | null;
  view(): OwnershipView;
  /** Called after every change of what this replica owns (assignment, rebalance, lost session). */
  onChange(listener: () => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The only replica: owns every model, always, under epoch 0 (nothing to fence). */
export class SoleOwnership implements Ownership {
  epochOf(): number {
    return 0;
  }
  view(): OwnershipView {
    return { mode: 'sole', member: null, joined: true, partitions: [], partitionCount: 0 };
  }
  onChange(): void {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
