// Local receivers that implement the documented contracts driftwatch's sinks talk to, and record what
// they got: PagerDuty Events v2 (202/400/429/5xx), a Standard Webhooks receiver that verifies
// signatures and de-duplicates on webhook-id, and a small Alertmanager v2 alerts endpoint.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../../src/alerting/sinks/webhook/signature.js';

export interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  status: number;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A receiver on a free loopback port; `failNext` makes the next requests answer with given statuses. */
export abstract class Receiver {
  readonly received: Received[] = [];
  private scripted: number[] = [];
  private server: Server | null = null;
  url = '';

  failNext(...statuses: number[]): void {
    this.scripted.push(...statuses);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  protected abstract handle(req: IncomingMessage, body: string): Reply;

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const forced = this.scripted.shift();
    const reply: Reply = forced !== undefined
      ? { status: forced, body: { status: 'error', message: `scripted ${forced}` }, ...(forced === 429 ? { headers: { 'retry-after': '2' } } : {}) }
      : this.handle(req, body);
    this.received.push({ path: req.url ?? '', headers: req.headers, body, status: reply.status });
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  }
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const bad = (message: string): Reply => ({ status: 400, body: { status: 'invalid event', message, errors: [message] } });

/** PagerDuty Events API v2 (REFERENCE.md §4): validates events and keeps incidents by dedup_key. */
export class PagerDutyReceiver extends Receiver {
  /** dedup_key → incident state; a trigger on an open incident is de-duplicated */
  readonly incidents = new Map<string, { status: 'triggered' | 'acknowledged' | 'resolved'; triggers: number; severity: string }>();
  readonly events: Json[] = [];

  protected handle(req: IncomingMessage, body: string): Reply {
    if (req.method !== 'POST' || req.url !== '/v2/enqueue') return { status: 404, body: { message: 'not found' } };
    const e = parse(body);
    if (!isObject(e)) return bad('body is not a JSON object');
    if (typeof e.routing_key !== 'string' || e.routing_key.length !== 32) return bad('routing_key must be 32 characters');
    const action = e.event_action;
    if (action !== 'trigger' && action !== 'acknowledge' && action !== 'resolve') return bad('event_action must be trigger, acknowledge or resolve');
    if (e.dedup_key !== undefined && (typeof e.dedup_key !== 'string' || e.dedup_key.length > 255)) return bad('dedup_key must be a string of at most 255 characters');
    if (action !== 'trigger' && typeof e.dedup_key !== 'string') return bad(`${action} needs a dedup_key`);
    let severity = '';
    if (action === 'trigger') {
      const p = e.payload;
      if (!isObject(p)) return bad('trigger needs a payload');
      if (typeof p.summary !== 'string' || p.summary.length === 0 || p.summary.length > 1024) return bad('payload.summary must be 1–1024 characters');
      if (typeof p.source !== 'string' || !p.source) return bad('payload.source is required');
      if (!['critical', 'error', 'warning', 'info'].includes(String(p.severity))) return bad('payload.severity must be critical, error, warning or info');
      severity = String(p.severity);
    }
    if (body.length > 512 * 1024) return { status: 413, body: { message: 'payload too large' } };
    const key = typeof e.dedup_key === 'string' ? e.dedup_key : `auto-${this.events.length}`;
    this.events.push(e);
    const incident = this.incidents.get(key);
    if (action === 'trigger') {
      if (incident && incident.status !== 'resolved') incident.triggers += 1;
      else this.incidents.set(key, { status: 'triggered', triggers: 1, severity });
    } else if (incident && incident.status !== 'resolved') {
      incident.status = action === 'acknowledge' ? 'acknowledged' : 'resolved';
    }
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: key } };
  }
}

/** A retraining pipeline's endpoint: Standard Webhooks verification and de-duplication on webhook-id. */
export class WebhookReceiver extends Receiver {
  readonly accepted: Array<{ id: string; body: Json }> = [];
  readonly duplicates: string[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly secret: string, private readonly clock: () => number = Date.now) {
    super();
  }

  protected handle(req: IncomingMessage, body: string): Reply {
    if (req.method !== 'POST') return { status: 405 };
    const h = req.headers as Record<string, string>;
    const check = verifyWebhook(this.secret, h, body, Math.floor(this.clock() / 1000));
    if (!check.ok) return { status: 401, body: { error: check.reason } };
    const id = h['webhook-id'];
    if (this.seen.has(id)) {
      this.duplicates.push(id);
      return { status: 204 };
    }
    const parsed = parse(body);
    if (!isObject(parsed)) return { status: 400, body: { error: 'not JSON' } };
    this.seen.add(id);
    this.accepted.push({ id, body: parsed });
    return { status: 204 };
  }
}

/** The alerts part of Alertmanager's API v2: same label set = same alert; GET lists those whose endsAt is ahead. */
export class AlertmanagerReceiver extends Receiver {
  readonly alerts = new Map<string, Json>();

  constructor(private readonly clock: () => number = Date.now) {
    super();
  }

  protected handle(req: IncomingMessage, body: string): Reply {
    if (req.url !== '/api/v2/alerts') return { status: 404 };
    if (req.method === 'GET') {
      const now = this.clock();
      return { status: 200, body: [...this.alerts.values()].filter((a) => Date.parse(String(a.endsAt)) > now) };
    }
    const list = parse(body);
    if (!Array.isArray(list)) return { status: 400, body: 'body must be an array of alerts' };
    for (const a of list) {
      if (!isObject(a) || !isObject(a.labels) || typeof a.labels.alertname !== 'string') return { status: 400, body: 'alert needs labels.alertname' };
      for (const f of ['startsAt', 'endsAt']) if (a[f] !== undefined && !Number.isFinite(Date.parse(String(a[f])))) return { status: 400, body: `${f} is not a date` };
    }
    for (const a of list as Json[]) {
      const labels = a.labels as Json;
      const key = JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
      this.alerts.set(key, a);
    }
    return { status: 200 };
  }
}
