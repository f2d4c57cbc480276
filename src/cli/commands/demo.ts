// `driftwatch demo` — placeholder until its issue lands; says so instead of pretending.
import { EXIT, type CliIO } from '../io.js';

export async function run(_argv: string[], io: CliIO): Promise<number> {
  io.err('driftwatch demo: not available in this build yet');
  return EXIT.failed;
}
