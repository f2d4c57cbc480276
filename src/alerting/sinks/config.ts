// Sink configuration checks: unknown keys are refused, every value is typed, defaults are explicit.
import { InputError } from '../../domain/index.js';

type Kind = 'string' | 'number';

export function readConfig<T>(raw: unknown, where: string, spec: Record<string, { type: Kind; required?: boolean }>, defaults: Partial<T>): T {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError(`${where}: expected an object`);
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) if (!(key in spec)) throw new InputError(`${where}: unknown key "${key}" (allowed: ${Object.keys(spec).join(', ')})`);
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, { type, required }] of Object.entries(spec)) {
    const v = obj[key];
    if (v === undefined) {
      if (required) throw new InputError(`${where}: missing "${key}"`);
      continue;
    }
    if (typeof v !== type || (type === 'number' && !(Number(v) >= 0))) throw new InputError(`${where}: "${key}" must be a ${type === 'number' ? 'number ≥ 0' : type}`);
    out[key] = v;
  }
  return out as T;
}

export function checkUrl(url: string, where: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`${where}: "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InputError(`${where}: url must be http(s), got ${parsed.protocol}`);
}
