import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, webhookHeaders } from '../../../src/alerting/index.js';

// REFERENCE.md §5 test vector
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TS = 1614265330;
const BODY = '{"test": 2432232314}';

describe('Standard Webhooks signature', () => {
  it('matches the published test vector', () => {
    expect(signWebhook(SECRET, ID, TS, BODY)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
  it('verifies, and rejects a changed body, an old timestamp or a wrong key', () => {
    const h = webhookHeaders([SECRET], ID, TS, BODY);
    expect(verifyWebhook(SECRET, h, BODY, TS + 10)).toEqual({ ok: true });
    expect(verifyWebhook(SECRET, h, '{"test": 1}', TS).ok).toBe(false);
    expect(verifyWebhook(SECRET, h, BODY, TS + 301)).toEqual({ ok: false, reason: 'timestamp outside tolerance' });
    expect(verifyWebhook('whsec_AAAAAAAAAAAAAAAAAAAAAAAA', h, BODY, TS).ok).toBe(false);
  });
  it('signs with every secret during key rotation', () => {
    const other = 'whsec_AAAAAAAAAAAAAAAAAAAAAAAA';
    const h = webhookHeaders([other, SECRET], ID, TS, BODY);
    expect(h['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifyWebhook(SECRET, h, BODY, TS).ok).toBe(true);
    expect(verifyWebhook(other, h, BODY, TS).ok).toBe(true);
  });
});
