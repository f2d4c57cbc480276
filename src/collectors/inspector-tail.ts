// Follows an NCCL Inspector dump directory: picks up new files, keeps the partial last line of a file
// still being written, and survives rotation (rename or truncate) without re-reading or losing lines.
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

interface FileState {
  path: string;
  offset: number;
  partial: string;
  /** the last bytes consumed: if they changed, the file was rewritten in place */
  consumedTail: Buffer;
}

// long enough to cover the record's sequence number and timestamp, which differ between otherwise equal lines
const TAIL_CHECK_BYTES = 512;

export interface TailOptions {
  /** only files whose name matches (default: *.log and *.jsonl, rotated *.log.1 included) */
  match?: RegExp;
  /** start existing files at their end instead of their beginning */
  fromEnd?: boolean;
  /** largest read per file per poll (bytes) */
  maxReadBytes?: number;
}

/** Polls a directory; `poll()` returns the complete lines written since the previous poll, per file. */
export class DirectoryTail {
  // keyed by device:inode so a renamed (rotated) file keeps its read position
  private readonly files = new Map<string, FileState>();
  private first = true;

  constructor(private readonly dir: string, private readonly opts: TailOptions = {}) {}

  async poll(): Promise<Array<{ path: string; lines: string[] }>> {
    const match = this.opts.match ?? /\.(log|jsonl)(\.\d+)?$/;
    const names = (await readdir(this.dir)).filter((n) => match.test(n)).sort();
    const seen = new Set<string>();
    const out: Array<{ path: string; lines: string[] }> = [];
    for (const name of names) {
      const path = join(this.dir, name);
      let st;
      try {
        st = await stat(path);
      } catch {
        continue; // removed between readdir and stat
      }
      if (!st.isFile()) continue;
      const id = `${st.dev}:${st.ino}`;
      seen.add(id);
      let state = this.files.get(id);
      if (!state) {
        state = { path, offset: this.first && this.opts.fromEnd ? st.size : 0, partial: '', consumedTail: Buffer.alloc(0) };
        this.files.set(id, state);
      }
      state.path = path;
      // mtime alone misses a rewrite within the same clock tick, so the consumed bytes are checked every poll
      if (st.size < state.offset || !(await this.unchangedBefore(state))) {
        state.offset = 0; // truncated or rewritten in place
        state.partial = '';
        state.consumedTail = Buffer.alloc(0);
      }
      if (st.size === state.offset) continue;
      const lines = await this.read(state, st.size);
      if (lines.length) out.push({ path, lines });
    }
    for (const id of [...this.files.keys()]) if (!seen.has(id)) this.files.delete(id);
    this.first = false;
    return out;
  }

  /** Partial lines still waiting for their newline (what a crash-time flush would return). */
  pendingPartials(): Array<{ path: string; text: string }> {
    return [...this.files.values()].filter((f) => f.partial).map((f) => ({ path: f.path, text: f.partial }));
  }

  /** True when the bytes just before the read position are still the ones consumed last time. */
  private async unchangedBefore(state: FileState): Promise<boolean> {
    const n = state.consumedTail.length;
    if (n === 0) return true;
    const fh = await open(state.path, 'r');
    try {
      const buf = Buffer.alloc(n);
      const { bytesRead } = await fh.read(buf, 0, n, state.offset - n);
      return bytesRead === n && buf.equals(state.consumedTail);
    } finally {
      await fh.close();
    }
  }

  private async read(state: FileState, size: number): Promise<string[]> {
    const length = Math.min(size - state.offset, this.opts.maxReadBytes ?? 8 << 20);
    const fh = await open(state.path, 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, state.offset);
      // only whole lines are consumed, so a multi-byte character is never split
      const lastNl = buf.lastIndexOf(10, bytesRead - 1);
      if (lastNl === -1 && bytesRead === length && length === (this.opts.maxReadBytes ?? 8 << 20)) {
        state.offset += bytesRead; // a line longer than a whole read is garbage: skip it rather than stall
        state.partial = '';
        return [];
      }
      if (lastNl === -1) {
        state.partial = buf.subarray(0, bytesRead).toString('utf8');
        return [];
      }
      state.offset += lastNl + 1;
      state.consumedTail = Buffer.from(buf.subarray(Math.max(0, lastNl + 1 - TAIL_CHECK_BYTES), lastNl + 1));
      const text = buf.subarray(0, lastNl).toString('utf8');
      state.partial = buf.subarray(lastNl + 1, bytesRead).toString('utf8');
      return text.split('\n').map((l) => l.replace(/\r$/, ''));
    } finally {
      await fh.close();
    }
  }
}
