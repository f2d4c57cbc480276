// NCCL vocabulary shared by the parsers: collective names, bus-bandwidth factors, message-size buckets.

const CANONICAL: Record<string, string> = {
  allreduce: 'AllReduce',
  allgather: 'AllGather',
  reducescatter: 'ReduceScatter',
  alltoall: 'AlltoAll',
  broadcast: 'Broadcast',
  reduce: 'Reduce',
  gather: 'Gather',
  scatter: 'Scatter',
  sendrecv: 'SendRecv',
  send: 'Send',
  recv: 'Recv',
  hypercube: 'Hypercube',
};

/** "all_reduce_perf", "allreduce", "AllReduce" → "AllReduce"; unknown names are kept as given. */
export function canonicalCollective(name: string): string {
  const key = name.toLowerCase().replace(/_perf$/, '').replace(/[^a-z]/g, '');
  return CANONICAL[key] ?? name;
}

/** busbw / algbw for `n` ranks (nccl-tests PERFORMANCE.md); undefined for collectives it does not define. */
export function busbwFactor(collective: string, n: number): number | undefined {
  if (!(n >= 1)) return undefined;
  switch (canonicalCollective(collective)) {
    case 'AllReduce': return (2 * (n - 1)) / n;
    case 'ReduceScatter': case 'AllGather': case 'AlltoAll': case 'Gather': case 'Scatter': return (n - 1) / n;
    case 'Broadcast': case 'Reduce': case 'SendRecv': case 'Send': case 'Recv': return 1;
    default: return undefined;
  }
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Power-of-two message-size bucket, e.g. 100 MB → "64MiB-128MiB"; the unit baselines are kept per. */
export function sizeBucket(bytes: number): string {
  if (!(bytes > 0)) return '0B';
  const exp = Math.floor(Math.log2(bytes));
  return `${human(2 ** exp)}-${human(2 ** (exp + 1))}`;
}

function human(n: number): string {
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${n}${UNITS[unit]}`;
}

/** Bytes per element of NCCL's ncclDataType_t codes (nccl.h), for call lines that give count + datatype. */
export const DATATYPE_BYTES: Record<number, number> = { 0: 1, 1: 1, 2: 4, 3: 4, 4: 8, 5: 8, 6: 2, 7: 4, 8: 8, 9: 2, 10: 1, 11: 1 };

/** nccl-tests "type" column names → bytes per element. */
export const TYPE_BYTES: Record<string, number> = {
  int8: 1, uint8: 1, char: 1, int32: 4, uint32: 4, int: 4, int64: 8, uint64: 8,
  half: 2, float16: 2, float: 4, float32: 4, double: 8, float64: 8, bfloat16: 2, f8e4m3: 1, f8e5m2: 1,
};
