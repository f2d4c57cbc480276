import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionOf } from '../../src/coordination/partition.js';

describe('control partition of a model', () => {
  it('is the partition kafkajs\' default partitioner picks for a record keyed by the model id', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    for (const n of [1, 3, 12, 32]) {
      const partitionMetadata = Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
      for (const model of ['fraud', 'churn', 'a', 'ab', 'abc', 'abcd', 'model-17', 'ünïcödé', 'x'.repeat(129)]) {
        expect(partitionOf(model, n)).toBe(partitioner({ topic: 't', partitionMetadata, message: { key: model, value: null } }));
      }
    }
  });

  it('matches the Java client\'s murmur2 reference values', () => {
    // org.apache.kafka.common.utils.UtilsTest.testMurmur2
    expect(murmur2('21')).toBe(-973932308);
    expect(murmur2('foobar')).toBe(-790332482);
    expect(murmur2('a-little-bit-long-string')).toBe(-985981536);
    expect(murmur2('a-little-bit-longer-string')).toBe(-1486304829);
    expect(murmur2('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')).toBe(-58897971);
    expect(murmur2('abc')).toBe(479470107);
  });
});

describe('stream versions', () => {
  it('order by epoch first, then by the write counter of the term', async () => {
    const { streamVersion, epochOfVersion } = await import('../../src/coordination/shared-state.js');
    expect(streamVersion(9, 1)).toBeGreaterThan(streamVersion(5, 2 ** 24 - 1));
    expect(epochOfVersion(streamVersion(123_456, 77))).toBe(123_456);
    expect(() => streamVersion(1, 2 ** 24)).toThrow(RangeError);
  });
});
