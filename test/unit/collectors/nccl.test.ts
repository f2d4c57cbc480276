import { describe, expect, it } from 'vitest';
import { busbwFactor, canonicalCollective, sizeBucket } from '../../../src/collectors/nccl-common.js';
import { parseNcclDebugLog, transportClass } from '../../../src/collectors/nccl-debug.js';
import { detectNcclFormat, parseNcclText } from '../../../src/collectors/nccl-format.js';
import { messageSizeBytes, parseInspectorJsonl, parseInspectorProm } from '../../../src/collectors/nccl-inspector.js';
import { parseNcclTestsJson, parseNcclTestsText } from '../../../src/collectors/nccl-tests.js';
import { fixture, fixtureJson } from './fixtures.js';

const TS = 1_795_346_000_000;
const expected = fixtureJson<{ avg_busbw: number; nranks: number; rows: number[][]; inspector: { complete_records: number } }>('nccl-expected.json');

describe('nccl-tests text', () => {
  it('reads both placements of every row, the rank count and hosts, and the average', () => {
    const r = parseNcclTestsText(fixture('nccl-tests-allreduce-8gpu.txt'), { collective: 'all_reduce_perf', ts: TS });
    expect(r.errors).toEqual([]);
    expect(r.nranks).toBe(expected.nranks);
    expect(r.hosts).toEqual(['gpu-node-1']);
    expect(r.avgBusbw).toBe(expected.avg_busbw);
    expect(r.records).toHaveLength(expected.rows.length * 2);
    expected.rows.forEach(([bytes, t1, a1, b1, t2, a2, b2], i) => {
      expect(r.records[2 * i]).toEqual({ source: 'nccl-tests', host: 'gpu-node-1', comm: 'nccl-tests/out-of-place', rank: -1, nranks: 8, collective: 'AllReduce', bytes, time_us: t1, algbw_gbs: a1, busbw_gbs: b1, ts: TS });
      expect(r.records[2 * i + 1]).toMatchObject({ comm: 'nccl-tests/in-place', time_us: t2, algbw_gbs: a2, busbw_gbs: b2 });
    });
  });

  it('its numbers obey algbw = bytes/time and busbw = algbw × 2(n−1)/n', () => {
    const r = parseNcclTestsText(fixture('nccl-tests-allreduce-8gpu.txt'), { collective: 'AllReduce', ts: TS });
    for (const rec of r.records) {
      expect(rec.algbw_gbs!).toBeCloseTo(rec.bytes / rec.time_us! / 1e3, 1);
      expect(rec.busbw_gbs!).toBeCloseTo(rec.algbw_gbs! * busbwFactor('AllReduce', 8)!, 1);
    }
  });

  it('reads the old layout (no root column, "error" column, N/A) from the right', () => {
    const r = parseNcclTestsText(fixture('nccl-tests-allgather-old.txt'), { collective: 'all_gather_perf', ts: TS });
    expect(r.errors).toEqual([]);
    expect(r.nranks).toBe(4);
    expect(r.records).toHaveLength(12);
    expect(r.records[0]).toMatchObject({ collective: 'AllGather', bytes: 1048576, time_us: 10.2, algbw_gbs: 102.37, busbw_gbs: 76.78, host: 'old-node' });
    for (const rec of r.records) expect(rec.busbw_gbs!).toBeCloseTo(rec.algbw_gbs! * 0.75, 1);
  });

  it('JSON (-J) gives the same records as the text output', () => {
    const fromJson = parseNcclTestsJson(fixture('nccl-tests-allreduce-8gpu.json'), { ts: TS });
    const fromText = parseNcclTestsText(fixture('nccl-tests-allreduce-8gpu.txt'), { collective: 'AllReduce', ts: TS });
    expect(fromJson.avgBusbw).toBe(expected.avg_busbw);
    expect(fromJson.records.map((r) => ({ ...r, host: '' }))).toEqual(fromText.records.map((r) => ({ ...r, host: '' })));
    expect(() => parseNcclTestsJson('{"config": {}}', { ts: TS })).toThrow(/results/);
  });
});

describe('NCCL vocabulary', () => {
  it('bus bandwidth factors are the nccl-tests ones', () => {
    expect(busbwFactor('AllReduce', 8)).toBe(1.75);
    expect(busbwFactor('all_gather', 4)).toBe(0.75);
    expect(busbwFactor('ReduceScatter', 16)).toBe(15 / 16);
    expect(busbwFactor('Broadcast', 8)).toBe(1);
    expect(busbwFactor('SendRecv', 2)).toBe(1);
    expect(busbwFactor('Mystery', 2)).toBeUndefined();
  });

  it('names and size buckets', () => {
    expect(canonicalCollective('reduce_scatter_perf')).toBe('ReduceScatter');
    expect(canonicalCollective('alltoall')).toBe('AlltoAll');
    expect(sizeBucket(134217728)).toBe('128MiB-256MiB');
    expect(sizeBucket(100e6)).toBe('64MiB-128MiB');
    expect(sizeBucket(1)).toBe('1B-2B');
  });
});

describe('NCCL Inspector', () => {
  it('JSONL: one record per completed collective or p2p op; a cut last line is an error, not a crash', () => {
    const { records, errors } = parseInspectorJsonl(fixture('inspector/gpu-node-1-pid4242.log'), TS);
    expect(records).toHaveLength(expected.inspector.complete_records);
    expect(errors).toHaveLength(1);
    expect(records[0]).toEqual({
      source: 'nccl-inspector', host: 'gpu-node-1', comm: 'dp-group-0', rank: 0, nranks: 16, collective: 'AllReduce',
      bytes: 134217728, time_us: 695.189, algbw_gbs: 193.067, busbw_gbs: 362, ts: 1795346100000,
    });
    expect(records.at(-1)).toMatchObject({ collective: 'Send', bytes: 8388608, time_us: 310.5 });
  });

  it('Prometheus textfile: joins bandwidth and time per label set, derives algbw from busbw', () => {
    const { records, errors } = parseInspectorProm(fixture('inspector-prom/nccl_inspector.prom'), TS);
    expect(errors).toEqual([]);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ host: 'gpu-node-1', comm: 'dp-group-0', nranks: 16, collective: 'AllReduce', bytes: 4 * 1024 ** 3, time_us: 20500, busbw_gbs: 362.4, ts: TS });
    expect(records[0].algbw_gbs).toBeCloseTo(362.4 / (30 / 16), 10);
  });

  it('message_size labels', () => {
    expect(messageSizeBytes('4-5GB')).toBe(4 * 1024 ** 3);
    expect(messageSizeBytes('512-1023B')).toBe(512);
    expect(messageSizeBytes('64MB')).toBe(64 * 1024 ** 2);
    expect(messageSizeBytes('huge')).toBeUndefined();
  });
});

describe('NCCL_DEBUG=INFO logs', () => {
  it('real H100 capture: one single-rank communicator on the Socket network, IB absent, 80 timed-less calls', () => {
    const log = parseNcclDebugLog(fixture('gpu-h100/nccl-debug.log'), { ts: TS });
    expect(log.comms).toHaveLength(1);
    expect(log.comms[0]).toMatchObject({ host: 'vm', pid: 448, comm: '0x2db6ce20', commId: '0xc0a00fecfbcbbf37', rank: 0, nranks: 1, nnodes: 1, initComplete: true, network: 'Socket', ibUnavailable: true });
    expect(log.calls).toHaveLength(80);
    // count × sizeof(float32): the sizes the job printed ("allreduce 1024", 1048576, 67108864, 268435456)
    expect([...new Set(log.calls.map((c) => c.bytes))]).toEqual([1024, 1048576, 67108864, 268435456]);
    expect(log.calls[0]).toMatchObject({ collective: 'AllReduce', nranks: 1, rank: 0, time_us: null });
  });

  it('two nodes over IB: transports per channel from both line formats and mpirun prefixes', () => {
    const log = parseNcclDebugLog(fixture('nccl-debug-2node-ib.log'), { ts: TS });
    const [a, b] = log.comms;
    expect(a).toMatchObject({ host: 'gpu-node-1', rank: 0, nranks: 4, nnodes: 2, network: 'IB', ibUnavailable: false, transports: { 'NET/IB': 2, P2P: 2 } });
    expect(b).toMatchObject({ host: 'gpu-node-2', rank: 3, nnodes: 2, network: 'IB', transports: { P2P: 1, 'NET/IB': 1 } });
    expect(log.unknownLines).toBeGreaterThan(0);
    expect(log.calls[0]).toMatchObject({ bytes: 33554432 * 2, collective: 'AllReduce', nranks: 4 });
  });

  it('transport classes', () => {
    expect(transportClass('P2P/IPC/read')).toBe('P2P');
    expect(transportClass('NET/IB/5/GDRDMA')).toBe('NET/IB');
    expect(transportClass('NET/Socket/0')).toBe('NET/Socket');
    expect(transportClass('SHM/direct/direct')).toBe('SHM');
  });
});

describe('format detection', () => {
  it('recognizes each fixture and rejects other text', () => {
    expect(detectNcclFormat(fixture('nccl-tests-allreduce-8gpu.txt'))).toBe('nccl-tests-text');
    expect(detectNcclFormat(fixture('nccl-tests-allgather-old.txt'))).toBe('nccl-tests-text');
    expect(detectNcclFormat(fixture('nccl-tests-allreduce-8gpu.json'))).toBe('nccl-tests-json');
    expect(detectNcclFormat(fixture('inspector/gpu-node-1-pid4242.log'))).toBe('inspector-jsonl');
    expect(detectNcclFormat(fixture('inspector-prom/nccl_inspector.prom'))).toBe('inspector-prom');
    expect(detectNcclFormat(fixture('gpu-h100/nccl-debug.log'))).toBe('nccl-debug');
    expect(detectNcclFormat(fixture('dcgm-exporter-v4.prom'))).toBeUndefined();
    expect(parseNcclText('hello', { ts: TS })).toBeUndefined();
  });
});
