// Reads an NCCL output file, or every file of a dump directory, and parses each by its detected format.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../domain/index.js';
import { parseNcclText, type NcclParsed } from './nccl-format.js';

export interface NcclInput {
  path: string;
  parsed: NcclParsed | undefined;
}

/** Throws InputError when the path cannot be read; files of unknown format come back with `parsed` undefined. */
export async function readNcclInput(path: string, opts: { collective?: string; host?: string } = {}): Promise<NcclInput[]> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new InputError(`cannot read ${path}: no such file or directory`);
  }
  const files = st.isDirectory()
    ? (await readdir(path)).sort().map((n) => join(path, n))
    : [path];
  const out: NcclInput[] = [];
  for (const file of files) {
    let text: string;
    let mtime: number;
    try {
      const fst = await stat(file);
      if (!fst.isFile()) continue;
      mtime = fst.mtimeMs;
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new InputError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    // outputs without their own times are stamped with the file's modification time
    out.push({ path: file, parsed: parseNcclText(text, { ts: Math.floor(mtime), ...opts }) });
  }
  return out;
}
