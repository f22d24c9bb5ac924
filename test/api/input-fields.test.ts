import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { emailAddress, freeText, storableTextPattern } from '../../api/input-fields';

/** What the OpenAPI document says of a field: its JSON Schema pattern and lengths. */
function documented(schema: z.ZodType) {
  const json = z.toJSONSchema(schema, { io: 'input' }) as { pattern?: string; minLength?: number; maxLength?: number };
  return (value: string) =>
    (json.pattern === undefined || new RegExp(json.pattern).test(value)) && value.length >= (json.minLength ?? 0) && value.length <= (json.maxLength ?? Infinity);
}

describe('input fields are checked as the OpenAPI document describes them', () => {
  it('free text: the document and the server agree on blank, padded, too long and NUL-holding text', () => {
    const title = freeText(3, 10);
    const says = documented(title);
    const samples = ['abc', '   ', ' ab ', ' a b ', '\ufeffab\ufeff', '\u00a0abc\u00a0', 'abcdefghij', 'abcdefghi ', ' abcdefghij', 'a\u0000bc'];
    for (const sample of samples) {
      const accepted = title.safeParse(sample).success && new RegExp(storableTextPattern).test(sample);
      expect(says(sample), JSON.stringify(sample)).toBe(accepted);
    }
  });

  it('email addresses: longer than mail servers take (64 before the @, labels of 63) are refused', () => {
    const email = emailAddress();
    expect(email.safeParse(`${'a'.repeat(64)}@example.org`).success).toBe(true);
    expect(email.safeParse(`${'a'.repeat(65)}@example.org`).success).toBe(false);
    expect(email.safeParse(`a@${'b'.repeat(63)}.org`).success).toBe(true);
    expect(email.safeParse(`a@${'b'.repeat(64)}.org`).success).toBe(false);
    expect(email.safeParse('a@example-.org').success).toBe(false);
    expect(email.safeParse(`x@${'a.'.repeat(126)}co`).success).toBe(false);
  });
});
