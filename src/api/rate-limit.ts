// A token bucket per caller (a valid bearer token, else the client address): `burst` requests at once, refilled at
// `perSecond`; over the limit a request gets 429 with Retry-After. Time is injected so tests are exact.
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface RateLimitOptions {
  perSecond: number;
  burst: number;
  /** epoch ms */
  now?: () => number;
  /** buckets kept before the idle ones are forgotten */
  maxCallers?: number;
  onLimited?: (caller: string) => void;
}

interface Bucket { tokens: number; at: number }

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxCallers: number;

  constructor(private readonly options: RateLimitOptions) {
    if (!(options.perSecond > 0) || !(options.burst >= 1)) throw new RangeError('rate limit needs perSecond > 0 and burst >= 1');
    this.now = options.now ?? Date.now;
    this.maxCallers = options.maxCallers ?? 10_000;
  }

  /** Takes one token for `caller`; returns 0 when allowed, else the seconds until one is available. */
  take(caller: string): number {
    const now = this.now();
    const b = this.buckets.get(caller) ?? { tokens: this.options.burst, at: now };
    b.tokens = Math.min(this.options.burst, b.tokens + ((now - b.at) / 1000) * this.options.perSecond);
    b.at = now;
    this.buckets.delete(caller); // re-inserted last: the Map's order is least recently seen first
    this.buckets.set(caller, b);
    if (this.buckets.size > this.maxCallers) this.buckets.delete(this.buckets.keys().next().value as string);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return (1 - b.tokens) / this.options.perSecond;
  }

  /** An onRequest hook; `callerOf` names the caller ("t:…" for a token, "ip:…" for an address), by default the
   *  client address — never a raw header, so no secret sits in memory twice and a made-up token buys nothing. */
  hook(callerOf: (request: FastifyRequest) => string = (request) => `ip:${request.ip}`) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const caller = callerOf(request);
      const wait = this.take(caller);
      if (wait === 0) return;
      this.options.onLimited?.(caller.startsWith('t:') ? 'token' : 'ip');
      return reply.code(429).header('retry-after', String(Math.max(1, Math.ceil(wait))))
        .send({ error: 'rate_limited', message: `too many requests; retry in ${Math.max(1, Math.ceil(wait))} s` });
    };
  }
}
