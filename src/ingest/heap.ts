// The service's young generation, sized for ingest: every message leaves short-lived objects behind (its parsed
// JSON, its strings), and a larger nursery lets them die there instead of being scavenged again and again or
// promoted to the old generation (bench:ingest measures the difference). Set once at start, before the heap grows;
// a --max-semi-space-size given in NODE_OPTIONS or on the command line wins.
import { setFlagsFromString } from 'node:v8';

/** bench:ingest, CPU per message on the 18.16 path: 26–28 µs with V8's default (16 MB), 19–20 µs with 32 MB,
 *  21–22 µs with 64 MB (two rounds each, same run); peak RSS unchanged (~205–217 MB). */
export const INGEST_SEMI_SPACE_MB = 32;

export function sizeYoungGeneration(semiSpaceMb = INGEST_SEMI_SPACE_MB): boolean {
  const given = `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`;
  if (given.includes('--max-semi-space-size')) return false;
  setFlagsFromString(`--max-semi-space-size=${semiSpaceMb}`);
  return true;
}
