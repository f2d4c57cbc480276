// NCCL_DEBUG=INFO logs → communicators (rank, nranks, nodes), the transport of every channel connection,
// the network plugin in use, and per-call records. Line formats drift between NCCL versions, so every
// line is matched by regex anywhere in it and unknown lines are counted, never fatal.
import { DATATYPE_BYTES, canonicalCollective } from './nccl-common.js';
import type { NcclRecord } from './types.js';

/** What a channel connection runs over: P2P (NVLink or PCIe peer access), SHM, NET/IB, NET/Socket, … */
export type Transport = string;

export interface NcclCommunicator {
  host: string;
  pid: number;
  /** the comm pointer NCCL prints, e.g. 0x2db6ce20 */
  comm: string;
  commId: string;
  rank: number;
  nranks: number;
  nnodes: number | undefined;
  cudaDev: number;
  busId: string;
  initComplete: boolean;
  /** channel connections counted per transport class */
  transports: Record<Transport, number>;
  /** "IB", "Socket" or a plugin name, from "Using network …" */
  network: string | undefined;
  /** the process logged "NET/IB : No device found" or failed to load the IB plugin */
  ibUnavailable: boolean;
}

export interface NcclDebugParse {
  comms: NcclCommunicator[];
  calls: NcclRecord[];
  nccLines: number;
  unknownLines: number;
}

const LINE = /([A-Za-z0-9_.-]+):(\d+):(\d+) \[(\d+)\] NCCL (INFO|WARN|TRACE|ERROR) (.*)$/;
const INIT = /comm (0x[0-9a-f]+) rank (\d+) nranks (\d+) cudaDev (\d+)(?: nvmlDev \d+)? busId ([0-9a-fx:.]+)(?: commId (0x[0-9a-f]+))? - Init (START|COMPLETE)/i;
const TOPO = /comm (0x[0-9a-f]+) rank (\d+) nRanks (\d+) nNodes (\d+)/;
const CONNECTION = /^(?:Channel|Ring) \d+(?:\/\d+)? : \d+\[\d+\] -> \d+\[\d+\](?: \[(?:send|receive)\])? via (\S+)/;
const CALL = /^(\w+): opCount [0-9a-fx]+ .*?count (\d+) datatype (\d+) .*?comm (0x[0-9a-f]+)(?: \[nranks=(\d+)\])?/;

/** "P2P/IPC/read" → "P2P", "NET/IB/5/GDRDMA" → "NET/IB", "NET/Socket/0" → "NET/Socket", "SHM/direct/direct" → "SHM". */
export function transportClass(via: string): Transport {
  const parts = via.split('/');
  if (parts[0] === 'NET' && parts.length > 1) return `NET/${parts[1]}`;
  return parts[0];
}

export interface NcclDebugOptions {
  /** epoch ms for call records (INFO lines carry no usable time) */
  ts: number;
}

/**
 * Incremental reader: feed lines as they are written (a tailed log) and read the communicators at any time.
 * `completed()` hands out each communicator once, when its Init COMPLETE line has been seen.
 */
export class NcclDebugReader {
  private readonly comms = new Map<string, NcclCommunicator>();
  // connection lines do not name their comm: they belong to the comm the process is initializing
  private readonly initializing = new Map<string, NcclCommunicator>();
  private readonly network = new Map<string, string>();
  private readonly noIb = new Set<string>();
  private readonly fresh: NcclCommunicator[] = [];
  readonly calls: NcclRecord[] = [];
  nccLines = 0;
  unknownLines = 0;

  constructor(private readonly opts: NcclDebugOptions) {}

  line(raw: string): void {
    const m = LINE.exec(raw);
    if (!m) return;
    this.nccLines++;
    const [, host, pidText, , , , msg] = m;
    const proc = `${host}:${pidText}`;
    const init = INIT.exec(msg);
    if (init) {
      const key = `${proc}/${init[1]}`;
      const c = this.comms.get(key) ?? {
        host, pid: Number(pidText), comm: init[1], commId: init[6] ?? '', rank: Number(init[2]), nranks: Number(init[3]),
        nnodes: undefined, cudaDev: Number(init[4]), busId: init[5], initComplete: false, transports: {},
        network: undefined, ibUnavailable: false,
      };
      // the network is announced once per process, often before the comm's Init START line
      c.network ??= this.network.get(proc);
      c.ibUnavailable ||= this.noIb.has(proc);
      this.comms.set(key, c);
      if (init[7].toUpperCase() === 'COMPLETE') {
        if (!c.initComplete) this.fresh.push(c);
        c.initComplete = true;
        this.initializing.delete(proc);
      } else this.initializing.set(proc, c);
      return;
    }
    const topo = TOPO.exec(msg);
    if (topo) {
      const c = this.comms.get(`${proc}/${topo[1]}`);
      if (c) c.nnodes = Number(topo[4]);
      return;
    }
    const conn = CONNECTION.exec(msg);
    if (conn) {
      const c = this.initializing.get(proc);
      if (c) {
        const t = transportClass(conn[1]);
        c.transports[t] = (c.transports[t] ?? 0) + 1;
      }
      return;
    }
    const net = /^Using network (\S+)/.exec(msg);
    if (net) {
      this.network.set(proc, net[1]);
      const c = this.initializing.get(proc);
      if (c) c.network = net[1];
      return;
    }
    if (/^NET\/IB : No device found|Failed to initialize NET plugin IB/.test(msg)) {
      this.noIb.add(proc);
      const c = this.initializing.get(proc);
      if (c) c.ibUnavailable = true;
      return;
    }
    const call = CALL.exec(msg);
    if (call) {
      const c = this.comms.get(`${proc}/${call[4]}`);
      const elem = DATATYPE_BYTES[Number(call[3])] ?? 1;
      this.calls.push({
        source: 'nccl-debug', host, comm: call[4], rank: c?.rank ?? -1,
        nranks: call[5] !== undefined ? Number(call[5]) : (c?.nranks ?? 0),
        collective: canonicalCollective(call[1]), bytes: Number(call[2]) * elem,
        time_us: null, algbw_gbs: null, busbw_gbs: null, ts: this.opts.ts,
      });
      return;
    }
    this.unknownLines++;
  }

  /** Every communicator seen so far, complete or still initializing. */
  communicators(): NcclCommunicator[] {
    return [...this.comms.values()];
  }

  /** Communicators whose initialization completed since the previous call. */
  completed(): NcclCommunicator[] {
    return this.fresh.splice(0);
  }
}

export function parseNcclDebugLog(text: string, opts: NcclDebugOptions): NcclDebugParse {
  const reader = new NcclDebugReader(opts);
  for (const raw of text.split('\n')) reader.line(raw);
  return { comms: reader.communicators(), calls: reader.calls, nccLines: reader.nccLines, unknownLines: reader.unknownLines };
}
