// The local servers' ports: outside Linux's ephemeral range (where an outgoing connection can take a port between
// picking and binding it), never handed out twice; a start wait that ends at once when the process has exited.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../../src/local/ports.js';

describe('local ports', () => {
  it('are below the ephemeral range, distinct and bindable', async () => {
    const ports = await Promise.all(Array.from({ length: 50 }, () => freePort()));
    expect(new Set(ports).size).toBe(50);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(20_000);
      expect(p).toBeLessThan(32_768);
    }
    const srv = createServer();
    await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(ports[0], '127.0.0.1', resolve));
    await new Promise((r) => srv.close(r));
  });

  it('waitFor gives up at once with the reason a process gave, not at the timeout', async () => {
    let calls = 0;
    const wait = waitFor('server', async () => ++calls > 1000, 60_000, () => (calls >= 3 ? 'exited during start: port taken' : undefined));
    await expect(wait).rejects.toThrow('server: exited during start: port taken');
    expect(calls).toBe(3);
  });
});
