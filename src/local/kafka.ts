// Starts a Kafka-protocol broker for tests and the demo: librdkafka's mock cluster (scripts/mock-kafka.c).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export interface LocalKafka {
  brokers: string[];
  stop(): Promise<void>;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function brokerBinary(): string {
  const bin = join(ROOT, '.tmp/bin/mock-kafka');
  if (!existsSync(bin)) execFileSync('bash', [join(ROOT, 'scripts/build-broker.sh')], { stdio: 'inherit' });
  return bin;
}

/** topics: name → partition count; the mock broker keeps everything in memory. */
export async function startKafka(topics: Record<string, number>, brokerCount = 1): Promise<LocalKafka> {
  const args = [String(brokerCount), ...Object.entries(topics).map(([t, p]) => `${t}:${p}`)];
  // stdin stays open as the broker's lifeline: when this process dies, the broker exits too.
  const child = spawn(brokerBinary(), args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const bootstrap = await new Promise<string>((resolveLine, reject) => {
    const timer = setTimeout(() => reject(new Error(`mock Kafka broker did not start: ${stderr}`)), 15_000);
    child.once('exit', (code) => reject(new Error(`mock Kafka broker exited (${code}): ${stderr}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      const m = /^BOOTSTRAP (.+)$/.exec(line);
      if (m) resolveLine(m[1]);
      else reject(new Error(`unexpected broker output: ${line}`));
    });
  });
  return {
    brokers: bootstrap.split(','),
    async stop() {
      if (child.exitCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      child.kill('SIGTERM');
      await done;
    },
  };
}
