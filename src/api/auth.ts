// Bearer tokens with scopes, compared in constant time (hash first so lengths never leak through timing).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiToken } from '../config/index.js';

export type Scope = ApiToken['scopes'][number];

const digest = (s: string) => createHash('sha256').update(s).digest();

/** A name for the caller behind an Authorization header that is not the secret itself. */
export const tokenKey = (header: string) => digest(header).toString('hex').slice(0, 32);

export function tokenChecker(tokens: ApiToken[]) {
  const known = tokens.map((t) => ({ hash: digest(t.token), scopes: new Set<Scope>(t.scopes) }));
  return function scopesOf(header: string | undefined): Set<Scope> | undefined {
    const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!m) return undefined;
    const h = digest(m[1]);
    let found: Set<Scope> | undefined;
    for (const k of known) if (timingSafeEqual(k.hash, h)) found = k.scopes; // no early exit
    return found;
  };
}

/** An onRequest hook (so no body is read before the token is checked) that answers 401 without a valid token and 403 without the scope (admin implies every scope). */
export function requireScope(scopesOf: ReturnType<typeof tokenChecker>, scope: Scope) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const scopes = scopesOf(request.headers.authorization);
    if (!scopes) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'a valid bearer token is required' });
    }
    if (!scopes.has(scope) && !scopes.has('admin')) {
      return reply.code(403).send({ error: 'forbidden', message: `this token lacks the "${scope}" scope` });
    }
  };
}
