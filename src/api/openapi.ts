// The OpenAPI 3.0 document, built from the routes' own JSON Schemas (schema-first: one source of truth),
// served at /docs/json, with a small page at /docs listing the operations.
import type { FastifyInstance, RouteOptions } from 'fastify';

interface Operation { method: string; path: string; schema: Record<string, unknown>; secured: boolean }

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** `/v1/models/:id` → `/v1/models/{id}` */
export const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parameters(where: 'path' | 'query', schema: unknown): unknown[] {
  const s = schema as { properties?: Record<string, unknown>; required?: string[] } | undefined;
  return Object.entries(s?.properties ?? {}).map(([name, p]) => ({ name, in: where, required: where === 'path' || (s?.required ?? []).includes(name), schema: p }));
}

function responses(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, body] of Object.entries(schema ?? {})) {
    const code = status.toUpperCase();
    out[code] = (body as { type?: string }).type === 'null'
      ? { description: 'no content' }
      : { description: code.startsWith('2') ? 'success' : 'error', content: { 'application/json': { schema: body } } };
  }
  return out;
}

export class OpenApiDocument {
  private readonly operations: Operation[] = [];

  constructor(private readonly info: { title: string; version: string }) {}

  /** Collects every route as it is added; install before the routes. */
  install(app: FastifyInstance): void {
    app.addHook('onRoute', (route: RouteOptions) => {
      const methods = (Array.isArray(route.method) ? route.method : [route.method]).map((m) => m.toLowerCase()).filter((m) => METHODS.has(m));
      for (const method of methods) {
        if (route.url.startsWith('/docs')) continue;
        this.operations.push({ method, path: route.url, schema: (route.schema ?? {}) as Record<string, unknown>, secured: route.onRequest !== undefined });
      }
    });
    app.get('/docs/json', async () => this.document());
    app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(this.page()));
  }

  document(): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const op of this.operations) {
      const s = op.schema as { tags?: string[]; summary?: string; params?: unknown; querystring?: unknown; body?: unknown; response?: Record<string, unknown> };
      (paths[openApiPath(op.path)] ??= {})[op.method] = {
        ...(s.tags ? { tags: s.tags } : {}),
        ...(s.summary ? { summary: s.summary } : {}),
        parameters: [...parameters('path', s.params), ...parameters('query', s.querystring)],
        ...(s.body ? { requestBody: { required: true, content: { 'application/json': { schema: s.body } } } } : {}),
        responses: Object.keys(s.response ?? {}).length ? responses(s.response) : { 200: { description: 'success' } },
        ...(op.secured ? { security: [{ bearer: [] }] } : {}),
      };
    }
    return {
      openapi: '3.0.3',
      info: this.info,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'tokens with scopes ingest, read, admin (admin implies all)' } } },
      paths,
    };
  }

  private page(): string {
    const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    const rows = this.operations.map((op) => `<tr><td>${op.method.toUpperCase()}</td><td><code>${esc(op.path)}</code></td><td>${esc(String((op.schema as { summary?: string }).summary ?? ''))}</td></tr>`).join('\n');
    return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(this.info.title)} API</title></head><body>
<h1>${esc(this.info.title)} ${esc(this.info.version)}</h1><p>OpenAPI document: <a href="/docs/json">/docs/json</a></p>
<table><thead><tr><th>method</th><th>path</th><th>what</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>`;
  }
}

// The OpenAPI fields a route schema may carry (what @fastify/swagger declares too).
declare module 'fastify' {
  interface FastifySchema {
    tags?: string[];
    summary?: string;
  }
}
