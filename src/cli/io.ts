// What a CLI command may touch: its arguments, stdout/stderr and the environment — injectable for tests.
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
}

// `driftwatch … | head` closes the pipe early: that is the reader being done, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

export const processIO: CliIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

/** Exit codes every command uses: 0 done, 1 failed at run time, 2 bad input or usage. */
export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;

export type Command = (argv: string[], io: CliIO) => Promise<number>;
