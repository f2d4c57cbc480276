import { appendFileSync, mkdtempSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DirectoryTail } from '../../../src/collectors/inspector-tail.js';
import { parseInspectorLine } from '../../../src/collectors/nccl-inspector.js';
import { fixture } from './fixtures.js';

const lines = fixture('inspector/gpu-node-1-pid4242.log').split('\n').slice(0, 6);

describe('DirectoryTail over an Inspector dump directory', () => {
  it('returns whole lines only, holds a partial last line until its newline arrives', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-tail-'));
    const file = join(dir, 'gpu-node-1-pid4242.log');
    writeFileSync(file, `${lines[0]}\n${lines[1].slice(0, 50)}`);
    const tail = new DirectoryTail(dir);
    expect(await tail.poll()).toEqual([{ path: file, lines: [lines[0]] }]);
    expect(tail.pendingPartials()).toEqual([{ path: file, text: lines[1].slice(0, 50) }]);
    appendFileSync(file, `${lines[1].slice(50)}\n`);
    const [{ lines: got }] = await tail.poll();
    expect(got).toEqual([lines[1]]);
    expect(parseInspectorLine(got[0], 0)?.rank).toBe(1);
    expect(await tail.poll()).toEqual([]);
  });

  it('picks up new files, survives rename rotation without re-reading, and restarts a truncated file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-tail-'));
    const a = join(dir, 'node-a-pid1.log');
    writeFileSync(a, `${lines[0]}\n`);
    const tail = new DirectoryTail(dir);
    expect((await tail.poll()).flatMap((f) => f.lines)).toEqual([lines[0]]);
    // rotation: the writer renames its file and starts a fresh one; a late line lands in the renamed file
    renameSync(a, `${a}.1`);
    appendFileSync(`${a}.1`, `${lines[1]}\n`);
    writeFileSync(a, `${lines[2]}\n`);
    writeFileSync(join(dir, 'node-b-pid2.log'), `${lines[3]}\n`);
    writeFileSync(join(dir, 'ignored.txt'), 'not a dump\n');
    const polled = await tail.poll();
    expect(polled.flatMap((f) => f.lines).sort()).toEqual([lines[1], lines[2], lines[3]].sort());
    // truncate in place and write again
    truncateSync(join(dir, 'node-b-pid2.log'), 0);
    appendFileSync(join(dir, 'node-b-pid2.log'), `${lines[4]}\n`);
    const after = await tail.poll();
    expect(after.flatMap((f) => f.lines)).toEqual([lines[4]]);
  });

  it('fromEnd skips what existed at start but reads what comes after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-tail-'));
    const file = join(dir, 'x.jsonl');
    writeFileSync(file, `${lines[0]}\n`);
    const tail = new DirectoryTail(dir, { fromEnd: true });
    expect(await tail.poll()).toEqual([]);
    appendFileSync(file, `${lines[5]}\n`);
    expect((await tail.poll()).flatMap((f) => f.lines)).toEqual([lines[5]]);
  });
});
