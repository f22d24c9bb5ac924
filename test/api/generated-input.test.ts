import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument, operations } from '../../api/openapi';
import { createMigratedDatabase } from '../support/database';
import { decisionLink, type Organisation, people, proposal, registerOrganisation } from '../support/organisation';
import { startTestService, testAdminToken, type TestService } from '../support/service';

/**
 * Generated-input (fuzz) test: every documented operation, and the emailed decision pages, are sent
 * thousands of generated invalid or random requests. Whatever arrives, the service answers with a
 * client error that names what was wrong, never a server error, and never shows its internals.
 *
 * The run is reproducible: a failure message names the seed; set FUZZ_SEED to replay it.
 */
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const requestsPerOperation = 160;
const decisionPageRequests = 220;
const concurrency = 6;

interface GeneratedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

interface Outcome {
  status: number;
  contentType: string;
  text: string;
}

const statusCounts: Record<string, number> = {};
let sent = 0;

// ---- values -------------------------------------------------------------------------------------

const oddConstants = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u202eevil',
  '\ufeff',
  '\ud800',
  '\udfff\ud800',
  'Z̷̢̛̪̥a̵̡̞͇l̸̺̈́g̷̝̈o̶̱͠',
  '👩‍👩‍👧‍👦',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e308',
  '1e309',
  '0x1F',
  'true',
  '[]',
  '{}',
  '<script>alert(1)</script>',
  "' OR '1'='1' --",
  '${7*7}',
  '{{7*7}}',
  '%00',
  '\r\n\r\nX-Injected: 1',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
];

/** Strings of a plausible length made of control, format and invisible characters among letters. */
const controlString = fc.string({
  unit: fc.oneof(fc.constantFrom('\u0000', '\u0001', '\u0008', '\u001b', '\u007f', '\u0085', '\u200b', '\u2028', '\u202e', '\ufeff', '\ufffe', '\ud800'), fc.constantFrom('a', 'b', 'é', ' ')),
  minLength: 3,
  maxLength: 30,
});

const oddString = fc.oneof(
  fc.string(),
  controlString,
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ minLength: 1000, maxLength: 5000 }),
  fc.constantFrom(...oddConstants),
);

const oddNumber = fc.oneof(
  fc.constantFrom(1e308, -1e308, -0, 0, 5e-324, Number.MAX_SAFE_INTEGER + 2, -1, 2 ** 31, 2 ** 53, 1.5, -365, 366),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Arrays nested up to a few hundred levels deep. */
const nestedArrays = fc.integer({ min: 1, max: 300 }).map((depth) => {
  let value: unknown[] = [];
  for (let level = 1; level < depth; level++) value = [value];
  return value;
});

const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: oddString },
  { weight: 2, arbitrary: oddNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: nestedArrays },
  { weight: 1, arbitrary: fc.array(fc.jsonValue(), { maxLength: 6 }) },
  { weight: 1, arbitrary: fc.object() },
  { weight: 1, arbitrary: fc.jsonValue() },
);

/** Percent-encodes, or (when the string is not well-formed UTF-16) encodes what it can. */
function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '\ufffd'));
  }
}

const traversal = [
  '..',
  '../..',
  '../../../../etc/passwd',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2f',
  '%252e%252e%252f',
  '....//....//',
  '..\\..\\windows\\win.ini',
  '%c0%ae%c0%ae%c0%af',
  '%2F',
  '.',
  ';',
  'a;b=c',
  '%00',
  '%',
  '%%',
  '%E0%A4%A',
  '%ZZ',
  '%u0041',
  '%C3%28',
];

/** A path parameter: random strings, ids, emails, traversal and malformed encodings; sent encoded or raw. */
function pathParameter(known: string[]): fc.Arbitrary<string> {
  const value = fc.oneof(
    fc.uuid().map((id) => ({ value: id, raw: false })),
    fc.constantFrom(...known).map((id) => ({ value: id, raw: false })),
    fc.emailAddress().map((email) => ({ value: email, raw: false })),
    fc.record({ value: fc.string(), raw: fc.boolean() }),
    fc.record({ value: fc.string({ unit: 'binary', maxLength: 30 }), raw: fc.boolean() }),
    fc.record({ value: fc.string({ minLength: 1000, maxLength: 5000 }), raw: fc.constant(false) }),
    fc.constantFrom(...traversal).map((value) => ({ value, raw: true })),
    fc.constantFrom(...oddConstants).map((value) => ({ value, raw: false })),
  );
  return value.map(({ value: text, raw }) => (raw ? text : encode(text)));
}

/** A query string: known and random keys, repeated keys, array and object syntax, odd values. */
function queryString(knownNames: string[]): fc.Arbitrary<string> {
  const names = knownNames.length > 0 ? knownNames : ['limit'];
  const key = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...names) },
    { weight: 1, arbitrary: fc.constantFrom(...names).map((name) => `${name}[]`) },
    { weight: 1, arbitrary: fc.constantFrom(...names).map((name) => `${name}[a][b]`) },
    { weight: 1, arbitrary: fc.string() },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor[prototype][admin]', '__proto__[admin]') },
  );
  const value = fc.oneof(
    oddString,
    fc.constantFrom('-1', '0', '1', '10001', '1e308', 'NaN', '-0', '0x10', ' 5', '5.5', 'csv', 'json', 'xml', 'true', 'false', 'review', 'staff'),
  );
  const pair = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(key, value).map(([k, v]) => `${encode(k)}=${encode(v)}`) },
    { weight: 1, arbitrary: key.map((k) => encode(k)) },
    { weight: 1, arbitrary: fc.constantFrom('%', '=', '&&', 'a=%E0%A4%A', '%ZZ=1', '=x', 'a=b=c') },
  );
  const repeated = fc
    .tuple(fc.constantFrom(...names), fc.array(value, { minLength: 2, maxLength: 5 }))
    .map(([name, values]) => values.map((v) => `${name}=${encode(v)}`).join('&'));
  return fc
    .oneof({ weight: 3, arbitrary: fc.array(pair, { maxLength: 8 }).map((pairs) => pairs.join('&')) }, { weight: 1, arbitrary: repeated })
    .map((query) => (query ? `?${query}` : ''));
}

// ---- bodies -------------------------------------------------------------------------------------

interface BodyChoice {
  body?: string | Uint8Array;
  contentType?: string;
  contentEncoding?: string;
}

const json = (value: unknown): BodyChoice => {
  const text = JSON.stringify(value);
  return text === undefined ? {} : { body: text, contentType: 'application/json' };
};

const wrongContentTypes = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/xml',
  'application/json; charset=utf-7',
  'application/json; charset=latin1',
  'application/json; charset=nonsense',
  'application/merge-patch+json',
  'application/octet-stream',
  '*/*',
  'application/json; boundary=x; charset=utf-8; charset=utf-16',
];

/** Bodies for an operation that takes `base` (a valid body) with the documented fields `fields`. */
function bodyFor(base: Record<string, unknown>, fields: string[]): fc.Arbitrary<BodyChoice> {
  const names = fields.length > 0 ? fields : Object.keys(base);
  return fc.oneof(
    // A valid body with one field of the wrong type or an odd value.
    { weight: 8, arbitrary: fc.record({ field: fc.constantFrom(...names), value: oddValue }).map(({ field, value }) => json({ ...base, [field]: value })) },
    // Two fields at once.
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...names), oddValue, fc.constantFrom(...names), oddValue)
        .map(([a, x, b, y]) => json({ ...base, [a]: x, [b]: y })),
    },
    // A required field missing.
    { weight: 1, arbitrary: fc.constantFrom(...names).map((field) => json(Object.fromEntries(Object.entries(base).filter(([name]) => name !== field)))) },
    // An unknown field.
    { weight: 1, arbitrary: fc.tuple(fc.string(), oddValue).map(([field, value]) => json({ ...base, [field]: value })) },
    // Anything at all.
    { weight: 3, arbitrary: fc.anything().map(json) },
    { weight: 2, arbitrary: fc.object().map(json) },
    { weight: 1, arbitrary: fc.jsonValue().map(json) },
    { weight: 1, arbitrary: nestedArrays.map(json) },
    // Prototype pollution and duplicate keys, as raw JSON.
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '{"__proto__":{"admin":true}}',
        '{"constructor":{"prototype":{"admin":true}}}',
        `{"__proto__":${JSON.stringify(base)}}`,
        `${JSON.stringify(base).slice(0, -1)},"${names[0]}":{"$ne":null}}`,
        `{"${names[0]}":1,"${names[0]}":"x","${names[0]}":[]}`,
      ).map((body) => ({ body, contentType: 'application/json' })),
    },
    // Not JSON at all, declared as JSON.
    { weight: 2, arbitrary: fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 200 })).map((body) => ({ body, contentType: 'application/json' })) },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', '[1,', 'null', '"string"', '42', 'true', '{"a":1}}', '\u0000', '{"a":"\\ud800"}').map((body) => ({ body, contentType: 'application/json' })) },
    // A JSON or raw body with the wrong content type, or none.
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.oneof(fc.constant(JSON.stringify(base)), fc.string()), fc.option(fc.constantFrom(...wrongContentTypes), { nil: undefined }))
        .map(([body, contentType]) => ({ body, contentType })),
    },
    // Compressed, or claiming to be.
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('gzip', 'deflate', 'br', 'x-unknown', 'identity, gzip'), fc.uint8Array({ maxLength: 64 }))
        .map(([contentEncoding, bytes]) => ({ body: bytes, contentType: 'application/json', contentEncoding })),
    },
    // No body at all.
    { weight: 1, arbitrary: fc.constant<BodyChoice>({}) },
  );
}

// ---- sending and checking -------------------------------------------------------------------------

/** A stack frame ("at fn (/path/file.js:1:2)" or "at /path/file.js:1:2"), escaped in JSON or not. */
const stackFrame = /\bat (?:[\w$.<>[\] ]+ )?\(?(?:\/|node:|file:|[A-Za-z]:\\)[^\s()]*:\d+:\d+\)?/;

async function send(url: string, request: GeneratedRequest): Promise<Outcome> {
  const response = await fetch(`${url}${request.path}`, { method: request.method, headers: request.headers, body: request.body, redirect: 'manual' });
  const text = await response.text();
  sent += 1;
  statusCounts[response.status] = (statusCounts[response.status] ?? 0) + 1;
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text };
}

/** What is wrong with a response, if anything. */
function problemsWith(request: GeneratedRequest, outcome: Outcome): string[] {
  const problems: string[] = [];
  if (outcome.status >= 500) problems.push(`status ${outcome.status}`);
  if (outcome.text.includes('node_modules')) problems.push('the body mentions node_modules');
  if (stackFrame.test(outcome.text)) problems.push('the body contains a stack frame');
  if (outcome.text.includes(process.cwd())) problems.push('the body contains a server path');
  const isApi = request.path.startsWith('/api');
  // 431/414 come from Node's HTTP parser before the app sees the request.
  const fromTheApp = outcome.status !== 431 && outcome.status !== 414;
  if (outcome.status >= 400 && outcome.status < 500 && fromTheApp && request.method !== 'HEAD') {
    if (outcome.contentType.includes('application/json')) {
      let parsed: any;
      try {
        parsed = JSON.parse(outcome.text);
      } catch {
        problems.push('a JSON error body that is not JSON');
      }
      if (parsed !== undefined && (typeof parsed?.error?.code !== 'string' || typeof parsed?.error?.message !== 'string')) {
        problems.push('a JSON error without error.code and error.message strings');
      }
    } else if (isApi) {
      problems.push(`an API error that is not JSON (${outcome.contentType || 'no content type'})`);
    }
  }
  return problems;
}

function describeRequest(request: GeneratedRequest): string {
  const body =
    request.body === undefined
      ? ''
      : typeof request.body === 'string'
        ? ` body=${JSON.stringify(request.body.length > 300 ? `${request.body.slice(0, 300)}…(${request.body.length} chars)` : request.body)}`
        : ` body=<${request.body.length} bytes: ${Buffer.from(request.body).toString('hex').slice(0, 64)}>`;
  const headers = Object.entries(request.headers)
    .map(([name, value]) => `${name}: ${name === 'authorization' && value.includes(testAdminToken) ? 'Bearer <admin>' : value.slice(0, 80)}`)
    .join(', ');
  const path = request.path.length > 300 ? `${request.path.slice(0, 300)}…(${request.path.length} chars)` : request.path;
  return `${request.method} ${path} [${headers}]${body}`;
}

/** Sends every request (a few at a time) and returns a description of each bad answer. */
async function sendAll(url: string, requests: GeneratedRequest[]): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const request = requests[next++]!;
      let outcome: Outcome;
      try {
        outcome = await send(url, request);
      } catch (error) {
        failures.push(`${describeRequest(request)}\n    → no answer: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      const problems = problemsWith(request, outcome);
      if (problems.length > 0) {
        const text = outcome.text.length > 400 ? `${outcome.text.slice(0, 400)}…` : outcome.text;
        failures.push(`${describeRequest(request)}\n    → ${outcome.status} ${outcome.contentType}: ${problems.join('; ')}\n    ${text}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return failures;
}

function report(failures: string[]): string {
  const shown = failures.slice(0, 8).join('\n');
  return `${failures.length} bad answer(s) (FUZZ_SEED=${seed}):\n${shown}${failures.length > 8 ? `\n… and ${failures.length - 8} more` : ''}`;
}

// ---- the tests ----------------------------------------------------------------------------------

describe('generated invalid and random requests', () => {
  let service: TestService;
  let organisation: Organisation;
  let staffToken: string;

  beforeAll(async () => {
    service = await startTestService({ databaseUrl: await createMigratedDatabase() });
    organisation = await registerOrganisation(service);
    const issued = await service.call('POST', `/api/people/${people.proposer}/tokens`, { name: 'fuzz' });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    staffToken = issued.body.token as string;
  });
  afterAll(async () => {
    console.log(`generated-input: sent ${sent} requests; statuses ${JSON.stringify(statusCounts)} (FUZZ_SEED=${seed})`);
    await service?.destroy();
  });

  /** Mostly the admin; sometimes nobody, a garbage credential or a staff member. */
  function authorization(): fc.Arbitrary<string | undefined> {
    return fc.oneof(
      { weight: 14, arbitrary: fc.constant(`Bearer ${testAdminToken}`) },
      { weight: 2, arbitrary: fc.constant(undefined) },
      {
        weight: 2,
        arbitrary: fc.oneof(
          fc.string({ unit: 'grapheme-ascii', minLength: 1 }).map((token) => `Bearer ${token}`),
          fc.string({ unit: 'grapheme-ascii', minLength: 1 }),
          fc.constantFrom(
            'Bearer',
            'Bearer ',
            'bearer opf_',
            `Bearer opf_${'A'.repeat(43)}`,
            `Bearer ${testAdminToken}x`,
            `Bearer ${testAdminToken.slice(0, -1)}`,
            `Basic ${Buffer.from('admin:admin').toString('base64')}`,
            `Bearer ${'x'.repeat(4000)}`,
            'Bearer a b',
            'Token abc',
          ),
        ),
      },
      { weight: 1, arbitrary: fc.constant(`Bearer ${staffToken}`) },
    );
  }

  /** A valid body for each operation, for the generator to break one field at a time. */
  function validBody(path: string): Record<string, unknown> {
    switch (path) {
      case '/api/improvements':
        return proposal(organisation, { title: 'Generated-input probe' });
      case '/api/improvements/{id}/withdraw':
        return { actor: people.proposer, reason: 'No longer needed' };
      case '/api/tasks/{id}/decision':
        return { actor: people.orpg, outcome: 'reject', fields: { reason: 'Out of scope' } };
      case '/api/tasks/{id}/reassign':
        return { to: people.orpg, reason: 'Away this week' };
      case '/api/org-units':
        return { name: 'Generated Unit', manager: 'generated.manager@example.org' };
      case '/api/org-units/{id}/processes':
        return { processes: [] };
      case '/api/processes':
        return { name: 'Generated Process', owner: people.owner, purpose: 'Probing' };
      case '/api/processes/{id}/versions':
        return { summary: 'Generated version' };
      case '/api/people':
        return { email: 'generated.person@example.org', name: 'Generated Person', roles: ['staff'], manager: people.chief, orgUnit: organisation.claimsUnit };
      case '/api/people/{email}/tokens':
        return { name: 'generated', expiresInDays: 30 };
      case '/api/people/{email}/delegations':
        return { delegate: people.actionOwner, from: '2031-01-01', until: '2031-01-10' };
      default:
        return {};
    }
  }

  function documentedFields(method: string, path: string): { body: string[]; query: string[] } {
    const operation = (openApiDocument().paths as Record<string, Record<string, any>>)[path]?.[method];
    return {
      body: Object.keys(operation?.requestBody?.content?.['application/json']?.schema?.properties ?? {}),
      query: (operation?.parameters ?? []).filter((parameter: any) => parameter.in === 'query').map((parameter: any) => parameter.name as string),
    };
  }

  function requestsFor(operation: (typeof operations)[number], index: number): GeneratedRequest[] {
    const method = operation.method.toUpperCase();
    const fields = documentedFields(operation.method, operation.path);
    const known = [people.orpg, people.proposer, people.auditor, organisation.claimsUnit, organisation.paymentsUnit, 'generated.person@example.org'];
    const names = Object.keys(operation.params?.shape ?? {});
    const params = names.map(() => pathParameter(known));
    const arbitrary = fc.record({
      params: fc.tuple(...params),
      query: fc.oneof({ weight: operation.query ? 3 : 1, arbitrary: queryString(fields.query) }, { weight: 2, arbitrary: fc.constant('') }),
      authorization: authorization(),
      body: method === 'POST' ? bodyFor(validBody(operation.path), fields.body) : fc.constant<BodyChoice>({}),
      requestId: fc.option(fc.constantFrom('trace-1', 'x'.repeat(101), 'a b', '<script>', '../../'), { nil: undefined }),
    });
    return fc.sample(arbitrary, { numRuns: requestsPerOperation, seed: seed + index }).map(({ params: values, query, authorization: auth, body, requestId }) => {
      let path = operation.path;
      names.forEach((name, position) => {
        path = path.replace(`{${name}}`, values[position] as string);
      });
      const headers: Record<string, string> = {};
      if (auth !== undefined) headers.authorization = auth;
      if (body.contentType) headers['content-type'] = body.contentType;
      if (body.contentEncoding) headers['content-encoding'] = body.contentEncoding;
      if (requestId) headers['x-request-id'] = requestId;
      return { method, path: `${path}${query}`, headers, body: body.body };
    });
  }

  operations.forEach((operation, index) => {
    const name = `${operation.method.toUpperCase()} ${operation.path}`;
    it(`${name} answers every generated request with a client error or success, never a 5xx or a stack trace`, async () => {
      const requests = requestsFor(operation, index);
      expect(requests.length).toBeGreaterThanOrEqual(150);
      const failures = await sendAll(service.url, requests);
      expect(failures.length, report(failures)).toBe(0);
    });
  });

  it('decision pages answer random tokens and random forms without a 5xx or a stack trace', async () => {
    // A real, open task and its emailed link, so some requests reach a live decision form.
    const created = await service.call('POST', '/api/improvements', proposal(organisation, { title: 'Generated decision-page probe' }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const [email] = await service.inbox.waitFor((mail) => mail.to.includes(people.orpg) && mail.text.includes('Decide here:'), { timeoutMs: 30_000 });
    const realLink = decisionLink(email!);
    const realToken = realLink.slice(realLink.lastIndexOf('/') + 1);
    const page = await (await fetch(realLink)).text();
    const protection = Object.fromEntries(
      [...page.matchAll(/<input type="hidden" name="(form_token|form_issued)" value="([^"]*)">/g)].slice(0, 2).map(([, field, value]) => [field!, value!]),
    );
    expect(Object.keys(protection).sort()).toEqual(['form_issued', 'form_token']);

    const base64url = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split(''));
    const token = fc.oneof(
      { weight: 3, arbitrary: fc.constant(realToken) },
      { weight: 2, arbitrary: fc.string({ unit: base64url, minLength: 43, maxLength: 43 }) },
      { weight: 1, arbitrary: fc.string({ unit: base64url, minLength: 1, maxLength: 200 }) },
      { weight: 2, arbitrary: pathParameter([realToken.slice(0, 20), `${realToken}x`, realToken.toUpperCase()]) },
      { weight: 1, arbitrary: fc.constantFrom(`${realToken}/extra`, `${realToken}%2F..`, `${realToken}?outcome=accept`, '', '/') },
    );
    const fieldName = fc.oneof(fc.constantFrom('outcome', 'form_token', 'form_issued', 'code', 'comment', 'reason', '__proto__', 'constructor'), fc.string());
    const fieldValue = fc.oneof(oddString, fc.constantFrom('accept ', 'ACCEPT', 'request-changes ', 'resubmit', '0', '-1', String(Date.now() + 3_600_000)));
    const form = fc.oneof(
      // A random form.
      { weight: 3, arbitrary: fc.dictionary(fieldName, fieldValue, { maxKeys: 10 }).map((fields) => new URLSearchParams(fields).toString()) },
      // The page's own anti-forgery fields with a random outcome and fields: the decision is refused, not crashed.
      {
        weight: 3,
        arbitrary: fc
          .tuple(fieldValue, fc.dictionary(fieldName, fieldValue, { maxKeys: 6 }))
          .map(([outcome, fields]) => new URLSearchParams({ ...fields, ...protection, outcome }).toString()),
      },
      // Many fields.
      { weight: 1, arbitrary: fc.integer({ min: 90, max: 400 }).map((count) => Array.from({ length: count }, (_, i) => `f${i}=${i}`).join('&')) },
      // Repeated keys and malformed encodings.
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'outcome=accept&outcome=reject',
          `form_token=${protection.form_token}&form_token=x&form_issued=${protection.form_issued}&outcome=x`,
          'outcome=%E0%A4%A&form_token=%',
          '%%%',
          '&&&==',
          'outcome[]=accept',
          'a'.repeat(5000),
        ),
      },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
    );
    const contentType = fc.oneof(
      { weight: 6, arbitrary: fc.constant('application/x-www-form-urlencoded') },
      { weight: 1, arbitrary: fc.constantFrom(...wrongContentTypes, 'application/json', 'application/x-www-form-urlencoded; charset=utf-16', 'application/x-www-form-urlencoded; charset=nonsense') },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );
    const jsonForm = fc
      .tuple(oddValue, fc.dictionary(fieldName, oddValue, { maxKeys: 4 }))
      .map(([outcome, fields]) => JSON.stringify({ ...fields, ...protection, outcome }));
    const request = fc.oneof(
      { weight: 2, arbitrary: fc.record({ method: fc.constantFrom('GET', 'HEAD'), token, body: fc.constant(undefined), contentType: fc.constant(undefined) }) },
      { weight: 5, arbitrary: fc.record({ method: fc.constant('POST'), token, body: form, contentType }) },
      { weight: 1, arbitrary: fc.record({ method: fc.constant('POST'), token, body: jsonForm, contentType: fc.constant('application/json') }) },
    );

    const requests = fc.sample(request, { numRuns: decisionPageRequests, seed: seed + 1_000 }).map(
      ({ method, token: value, body, contentType: type }): GeneratedRequest => ({
        method,
        path: `/decide/${value}`,
        headers: type ? { 'content-type': type } : {},
        body: method === 'POST' ? body : undefined,
      }),
    );
    expect(requests.length).toBeGreaterThanOrEqual(200);
    const failures = await sendAll(service.url, requests);
    expect(failures.length, report(failures)).toBe(0);
  });
});
