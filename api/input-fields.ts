import { z } from 'zod';

/**
 * The input fields routes share, each checked exactly as the OpenAPI document describes it, so a
 * client that follows the document is never refused by the server, and the other way round.
 */

/** What JavaScript's `trim()` removes. */
const whitespace = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
/** Any character PostgreSQL can store (`parse` refuses the NUL character in every input). */
const storable = '[^\\u0000]';
const visible = `[^\\u0000${whitespace}]`;

/** Text with no NUL character: what `parse` accepts for any string without a pattern of its own. */
export const storableTextPattern = `^${storable}*$`;

/** Text that, once trimmed, is at least `min` characters long. */
function trimmedAtLeast(min: number): string {
  if (min <= 0) return storableTextPattern;
  if (min === 1) return `^${storable}*${visible}${storable}*$`;
  return `^${storable}*${visible}${storable}{${min - 2},}${visible}${storable}*$`;
}

/**
 * Free text as people type it: at most `max` characters as sent, trimmed, and at least `min`
 * characters once trimmed.
 */
export function freeText(min: number, max: number) {
  return z.string().max(max).trim().min(min).meta({ pattern: trimmedAtLeast(min) });
}

/** Within what mail servers take (RFC 5321): what JSON Schema's `email` format also requires. */
function withinMailLimits(address: string): boolean {
  const at = address.lastIndexOf('@');
  const domain = address.slice(at + 1);
  return at <= 64 && domain.length <= 253 && domain.split('.').every((label) => label.length <= 63 && !label.endsWith('-'));
}

/**
 * An email address: zod's address syntax (the document's pattern), within what mail servers take
 * (the document's `email` format): at most 64 characters before the `@` and 253 after, domain
 * labels of at most 63 characters that do not end with a hyphen.
 */
export function emailAddress() {
  return z.email().refine(withinMailLimits, 'must have at most 64 characters before the @, 253 after it, and domain labels of at most 63 characters not ending with a hyphen');
}
