import { describe, expect, it } from 'vitest';
import { decisionLinkUrl, formToken, hashLinkToken, isValidFormToken, newLinkToken } from '../decision-links';

const secret = 'unit-test-secret-0123456789-0123456789';
const linkId = '6f1c8a52-3d0e-4b7a-9c1f-2e5d8b7a6c40';
const ttlMs = 2 * 3600 * 1000;
const now = Date.UTC(2026, 10, 26, 9, 30);

describe('emailed decision link tokens', () => {
  it('are distinct, unguessable-length base64url strings whose stored hash matches', () => {
    const issued = Array.from({ length: 50 }, () => newLinkToken());
    expect(new Set(issued.map(({ token }) => token)).size).toBe(issued.length);
    for (const { token, hash } of issued) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(hashLinkToken(token)).toBe(hash);
      expect(hash).not.toContain(token);
    }
  });

  it('hash differently for different tokens and the same for the same token', () => {
    const [a, b] = [newLinkToken(), newLinkToken()];
    expect(a.hash).not.toBe(b.hash);
    expect(hashLinkToken(a.token)).toBe(hashLinkToken(a.token));
  });

  it('make a link under the public URL', () => {
    expect(decisionLinkUrl('https://opf.example.org', 'abc')).toBe('https://opf.example.org/decide/abc');
  });
});

describe('the decision form anti-forgery token', () => {
  const fresh = () => ({ token: formToken(secret, linkId, now), issued: String(now) });

  it('accepts a form this service just rendered for the link', () => {
    const { token, issued } = fresh();
    expect(isValidFormToken(secret, linkId, token, issued, now, ttlMs)).toBe(true);
    expect(isValidFormToken(secret, linkId, token, now, now + 60_000, ttlMs)).toBe(true);
  });

  it('accepts a form rendered a little less than the time-to-live ago', () => {
    const issuedAt = now - ttlMs + 1_000;
    expect(isValidFormToken(secret, linkId, formToken(secret, linkId, issuedAt), String(issuedAt), now, ttlMs)).toBe(true);
  });

  it('refuses a form rendered for another decision link', () => {
    const { token, issued } = fresh();
    expect(isValidFormToken(secret, '00000000-0000-4000-8000-000000000000', token, issued, now, ttlMs)).toBe(false);
  });

  it('refuses a form signed with another secret', () => {
    const token = formToken('another-secret-0123456789-0123456789', linkId, now);
    expect(isValidFormToken(secret, linkId, token, String(now), now, ttlMs)).toBe(false);
  });

  it('refuses a tampered token', () => {
    const { token, issued } = fresh();
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect(isValidFormToken(secret, linkId, flipped, issued, now, ttlMs)).toBe(false);
    expect(isValidFormToken(secret, linkId, token.slice(1), issued, now, ttlMs)).toBe(false);
    expect(isValidFormToken(secret, linkId, `${token}x`, issued, now, ttlMs)).toBe(false);
    expect(isValidFormToken(secret, linkId, '', issued, now, ttlMs)).toBe(false);
  });

  it('refuses a token whose issue time was changed to extend it', () => {
    const { token } = fresh();
    expect(isValidFormToken(secret, linkId, token, String(now + 1), now, ttlMs)).toBe(false);
  });

  it('refuses a form rendered more than the time-to-live ago', () => {
    const issuedAt = now - ttlMs - 1;
    expect(isValidFormToken(secret, linkId, formToken(secret, linkId, issuedAt), String(issuedAt), now, ttlMs)).toBe(false);
  });

  it('refuses a form that claims to be issued more than a minute in the future', () => {
    const issuedAt = now + 60_001;
    expect(isValidFormToken(secret, linkId, formToken(secret, linkId, issuedAt), String(issuedAt), now, ttlMs)).toBe(false);
    const withinSkew = now + 30_000;
    expect(isValidFormToken(secret, linkId, formToken(secret, linkId, withinSkew), String(withinSkew), now, ttlMs)).toBe(true);
  });

  it('refuses an issue time that is not a whole number', () => {
    const { token } = fresh();
    for (const issued of ['yesterday', '', 'NaN', `${now}.5`, undefined, null, {}, ['1', '2']]) {
      expect(isValidFormToken(secret, linkId, token, issued, now, ttlMs), JSON.stringify(issued)).toBe(false);
    }
  });

  it('refuses a submission without a token, or with a token that is not a string', () => {
    const { issued } = fresh();
    for (const token of [undefined, null, 42, ['a'], { token: 'a' }]) {
      expect(isValidFormToken(secret, linkId, token, issued, now, ttlMs), JSON.stringify(token)).toBe(false);
    }
  });
});
