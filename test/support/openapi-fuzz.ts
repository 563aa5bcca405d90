/**
 * Requests generated from the served OpenAPI document (fast-check): for every operation, its path
 * parameters, query and JSON body — mostly valid by the schema (so the fuzzing reaches the business
 * rules, with the real ids of a seeded store mixed in) and, as often, hostile: wrong types, missing
 * and extra fields, unicode edge cases, oversized strings, invalid mainland ID numbers, negative and
 * overflowing amounts, path traversal, malformed JSON, wrong media types, bodies over the limit,
 * prototype-poisoning keys, odd headers.
 *
 * @example
 * const ops = operationsOf(doc);
 * const arb = requestArbitrary(ops[0], doc, { known: { accountId: ['acc_1'] } });
 * const [req] = fc.sample(arb, { seed: 42, numRuns: 1 });
 */
import fc from 'fast-check';
import { demoIdNumber } from '../../src/adapters/cli/demo.js';

/** A JSON Schema (or the OpenAPI document) read as loosely as JSON is. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON Schema of any shape
export type JsonSchema = { [keyword: string]: any };

export interface Operation {
  method: string;
  /** OpenAPI path, e.g. `/v1/accounts/{accountId}`. */
  path: string;
  pathParams: { name: string; schema: JsonSchema }[];
  query: { name: string; schema: JsonSchema; required: boolean }[];
  /** The JSON body schema, or null when the operation takes none. */
  body: JsonSchema | null;
  bodyRequired: boolean;
  /** Declared response statuses and their JSON schema (null: no body or not JSON). */
  responses: Record<string, JsonSchema | null>;
  /** Public (no bearer scheme required). */
  public: boolean;
}

/** Every operation of an OpenAPI 3.1 document, in document order. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the OpenAPI document
export function operationsOf(doc: any): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, JsonSchema>>)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? []) as {
        in: string;
        name: string;
        schema: JsonSchema;
        required?: boolean;
      }[];
      const body = op.requestBody?.content?.['application/json']?.schema ?? null;
      const responses: Record<string, JsonSchema | null> = {};
      for (const [status, r] of Object.entries((op.responses ?? {}) as Record<string, JsonSchema>))
        responses[status] = r?.content?.['application/json']?.schema ?? null;
      out.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema })),
        query: params
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: p.schema, required: p.required === true })),
        body,
        bodyRequired: op.requestBody?.required === true,
        responses,
        public: Array.isArray(op.security) && op.security.length === 0,
      });
    }
  }
  return out;
}

/** Real values of the seeded store, by field or parameter name (accountId, cardId, id, …). */
export interface FuzzContext {
  known: Record<string, readonly string[]>;
}

const VALID_CN_ID = demoIdNumber(451, '19900307');
/** Document numbers that must each be refused with a named problem, never a 500 (GB 11643). */
export const INVALID_ID_NUMBERS: readonly string[] = [
  VALID_CN_ID.slice(0, 17) + (VALID_CN_ID[17] === '0' ? '1' : '0'), // wrong check digit
  demoIdNumber(1, '19901301'), // month 13
  demoIdNumber(2, '19900230'), // 30 February
  demoIdNumber(3, '21990101'), // born in the future
  VALID_CN_ID.slice(0, 17), // 17 characters
  `${VALID_CN_ID}0`, // 19 characters
  VALID_CN_ID.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))), // full-width digits
  `${VALID_CN_ID.slice(0, 6)} ${VALID_CN_ID.slice(6)}`,
  VALID_CN_ID.slice(0, 17) + 'Y',
  '000000000000000000',
  'X'.repeat(18),
  '11010519900307451\u0000',
  '１１０１０５１９９００３０７４５１Ｘ',
];

/** Strings that break naive code: traversal, injection, unicode edge cases, control characters. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '....//....//etc/passwd',
  '/etc/passwd',
  'C:\\boot.ini',
  'evidence/../../x.jpg',
  '..',
  '.',
  'a\u0000b',
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '😀'.repeat(40),
  '\u202egpj.exe',
  'Z̴̡̛a̷͔̓l̶̙̈g̵̹̿ö̴̳',
  '\u200b\u200c\u200d\ufeff',
  'ｆｕｌｌｗｉｄｔｈ',
  '١٢٣٤',
  "' OR '1'='1' --",
  '"; drop table accounts; --',
  '${jndi:ldap://127.0.0.1/x}',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '\r\nSet-Cookie: x=1',
  'NaN',
  'Infinity',
  '__proto__',
  'constructor',
  'A'.repeat(65),
  'x'.repeat(5_000),
  '张三'.repeat(60),
];

/** Numbers at and past every boundary: negative, fractional, unsafe, overflowing. */
export const HOSTILE_NUMBERS: readonly number[] = [
  -1,
  -0,
  0.5,
  -0.0001,
  1e308,
  -1e308,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  9_000_000_000_000_001,
  -9_000_000_000_000_001,
  8_640_000_000_000_001,
  1e21,
  4_294_967_296,
  2_147_483_648,
];

function resolve(schema: JsonSchema, doc: JsonSchema): JsonSchema {
  let s = schema;
  for (let i = 0; s && typeof s === 'object' && typeof s.$ref === 'string' && i < 10; i++) {
    const path = s.$ref.replace(/^#\//, '').split('/');
    s = path.reduce((o: JsonSchema, k: string) => o?.[k] as JsonSchema, doc);
  }
  return s ?? {};
}

function types(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type as string[];
  if (typeof schema.type === 'string') return [schema.type];
  if (schema.enum)
    return [...new Set((schema.enum as unknown[]).map((v) => (v === null ? 'null' : typeof v)))];
  return ['string', 'number', 'boolean', 'null', 'object', 'array'];
}

/** Hints for fields whose valid values are real ids or special formats. */
function hinted(name: string | null, ctx: FuzzContext): fc.Arbitrary<string> | null {
  if (name === null) return null;
  if (name === 'documentNumber' || name === 'number')
    return fc.oneof(fc.constant(demoIdNumber(77, '19850612')), fc.constantFrom(...INVALID_ID_NUMBERS));
  if (name === 'phone' || name === 'reservedPhone')
    return fc.oneof(
      fc.constant('+86 13912345678'),
      fc.constantFrom('+86 1', '+999999999999999999999999', '１３９'),
    );
  if (name === 'name' || name === 'holderName')
    return fc.constantFrom('张三', '欧阳娜娜', 'Ann Lee', ' ', '\u0000');
  if (name === 'data') return fc.constantFrom('/9j/4AECAw==', 'AAAAGGZ0eXBtcDQy', 'not base64!', '====', '');
  if (name === 'advance') return fc.constantFrom('PT1M', 'P1D', 'P-1D', 'PT', 'P99999999999Y', 'garbage');
  if (name === 'set')
    return fc.constantFrom(
      '2026-11-18T12:00:00+08:00',
      '+275760-09-13T00:00:00Z',
      '0000-01-01T00:00:00Z',
      'yesterday',
    );
  const known = ctx.known[name];
  return known && known.length > 0 ? fc.constantFrom(...known) : null;
}

const ABSENT = Symbol('absent');

/** Values valid by `schema` (mostly), with the context's real ids for named fields. */
export function validValue(
  schema: JsonSchema,
  doc: JsonSchema,
  ctx: FuzzContext,
  name: string | null = null,
  depth = 0,
): fc.Arbitrary<unknown> {
  const s = resolve(schema, doc);
  const hint = hinted(name, ctx);
  const plain = plainValid(s, doc, ctx, depth);
  return hint ? fc.oneof({ arbitrary: hint, weight: 3 }, { arbitrary: plain, weight: 1 }) : plain;
}

function plainValid(s: JsonSchema, doc: JsonSchema, ctx: FuzzContext, depth: number): fc.Arbitrary<unknown> {
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  if (Array.isArray(s.anyOf ?? s.oneOf))
    return fc.oneof(
      ...((s.anyOf ?? s.oneOf) as JsonSchema[]).map((x) => validValue(x, doc, ctx, null, depth + 1)),
    );
  const options = types(s).map((t): fc.Arbitrary<unknown> => {
    switch (t) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer':
      case 'number': {
        const min = typeof s.minimum === 'number' ? s.minimum : -1_000_000;
        const max = typeof s.maximum === 'number' ? s.maximum : 1_000_000;
        const lo = Math.max(min, -1_000_000_000);
        const hi = Math.min(max, 1_000_000_000);
        const ints = fc.integer({ min: Math.ceil(Math.min(lo, hi)), max: Math.floor(Math.max(lo, hi)) });
        return t === 'integer' ? fc.oneof(ints, fc.constantFrom(min, max)) : ints;
      }
      case 'string': {
        if (s.format === 'email') return fc.emailAddress();
        if (s.format === 'date-time')
          return fc
            .date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true })
            .map((d) => d.toISOString());
        const minLength = typeof s.minLength === 'number' ? s.minLength : 0;
        const maxLength = Math.min(typeof s.maxLength === 'number' ? s.maxLength : 40, 80);
        if (typeof s.pattern === 'string') {
          try {
            return fc
              .stringMatching(new RegExp(s.pattern))
              .filter((x) => x.length >= minLength && x.length <= (s.maxLength ?? Infinity));
          } catch {
            /* a pattern JavaScript cannot read: plain strings */
          }
        }
        return fc.string({ minLength, maxLength: Math.max(minLength, maxLength), unit: 'grapheme' });
      }
      case 'array': {
        if (depth > 4) return fc.constant([]);
        const items = s.items
          ? validValue(s.items, doc, ctx, null, depth + 1)
          : fc.jsonValue({ maxDepth: 1 });
        return fc.array(items, { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 4, 4) });
      }
      default: {
        if (depth > 4) return fc.constant({});
        const props = (s.properties ?? {}) as Record<string, JsonSchema>;
        const required = new Set((s.required ?? []) as string[]);
        // An optional field is left out two times in three: bodies stay close to what clients send,
        // so more of them pass validation and reach the business rules.
        const shape: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [k, v] of Object.entries(props)) {
          const value = validValue(v, doc, ctx, k, depth + 1);
          shape[k] = required.has(k)
            ? value
            : fc.oneof({ arbitrary: fc.constant(ABSENT), weight: 2 }, { arbitrary: value, weight: 1 });
        }
        return fc
          .record(shape)
          .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ABSENT)));
      }
    }
  });
  return options.length === 1 ? options[0]! : fc.oneof(...options);
}

/** A body valid by `op`'s schema (mostly), or `{}` for an operation that takes none. */
export function validBody(op: Operation, doc: JsonSchema, ctx: FuzzContext): fc.Arbitrary<unknown> {
  return op.body ? validValue(op.body, doc, ctx) : fc.constant({});
}

/** A value of the wrong kind for `schema`: another type, a hostile string or number, something huge. */
export function hostileValue(schema: JsonSchema, doc: JsonSchema): fc.Arbitrary<unknown> {
  const s = resolve(schema, doc);
  const t = types(s);
  const wrong: fc.Arbitrary<unknown>[] = [
    fc.constantFrom(...HOSTILE_STRINGS),
    fc.constantFrom(...HOSTILE_NUMBERS),
    fc.constantFrom(true, false, null),
    fc.constantFrom([], [null], {}, { __proto__: { admin: true } }, { $ne: null }, [[[[[[]]]]]]),
    fc.jsonValue({ maxDepth: 3 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
  ];
  if (t.includes('string')) wrong.push(fc.constantFrom(...INVALID_ID_NUMBERS));
  return fc.oneof(...wrong);
}

/** An object body valid by `schema` with one field made hostile, one required field dropped, or one extra field. */
function mutatedObject(schema: JsonSchema, doc: JsonSchema, ctx: FuzzContext): fc.Arbitrary<unknown> {
  const s = resolve(schema, doc);
  const props = Object.keys((s.properties ?? {}) as Record<string, JsonSchema>);
  const base = validValue(s, doc, ctx);
  if (props.length === 0)
    return fc.tuple(base, hostileValue({}, doc)).map(([b, v]) => ({ ...(b as object), extra: v }));
  return fc
    .tuple(
      base,
      fc.constantFrom(...props),
      fc.integer({ min: 0, max: 2 }),
      fc.constantFrom(...props).chain((p) => hostileValue(s.properties[p], doc)),
    )
    .map(([b, prop, how, value]) => {
      const out: Record<string, unknown> = { ...(b as Record<string, unknown>) };
      if (how === 0) out[prop] = value;
      else if (how === 1) delete out[prop];
      else out[`${prop}_extra`] = value;
      return out;
    });
}

/** A raw body: malformed JSON, JSON of the wrong shape, bytes that are not UTF-8, a body over the limit. */
export const RAW_BODIES: readonly (string | Buffer)[] = [
  '{',
  '{"a":}',
  '{"a":1}garbage',
  '[]',
  'null',
  '"a string"',
  '123',
  'true',
  '',
  ' ',
  '\ufeff{}',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '{"a":1,"a":2}',
  '['.repeat(20_000) + ']'.repeat(20_000),
  '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000),
  Buffer.from([0xff, 0xfe, 0x7b, 0x7d]),
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
  `{"data":"${'A'.repeat(1_100_000)}"}`,
  `{"kind":"document_front","contentType":"image/jpeg","data":"${'A'.repeat(600_000)}"}`,
];

export const CONTENT_TYPES: readonly (string | null)[] = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/merge-patch+json',
  'application/json; charset=latin1',
  null,
];

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** A JSON value (serialised), a raw string or bytes, or nothing. */
  payload?: string | Buffer;
  /** What kind of input this was, for the report. */
  label: string;
}

export interface RequestOptions extends FuzzContext {
  /** Bearer secrets to use: the first most of the time. */
  keys: readonly (string | null)[];
}

const LANGUAGES = ['en', 'zh-CN', 'zh-CN,zh;q=0.9,en;q=0.8', '*', 'xx-YY', 'zh-CN;q=abc', 'en'.repeat(200)];

/**
 * Percent-encoding that survives lone surrogates (encodeURIComponent throws on them): such a code
 * unit is sent as the three bytes a naive UTF-8 encoder would write — not valid UTF-8, which is the
 * point.
 */
export function encodeLoose(value: string): string {
  return [...value]
    .map((ch) => {
      try {
        return encodeURIComponent(ch);
      } catch {
        const c = ch.charCodeAt(0);
        return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]
          .map((b) => `%${b.toString(16).toUpperCase()}`)
          .join('');
      }
    })
    .join('');
}

/** A path segment: percent-encoded, or as is when asked and it is plain visible ASCII (`../x` stays raw). */
function segment(value: string, encode: boolean): string {
  return encode || !/^[\x21-\x7E]*$/.test(value) || /[?#%]/.test(value) ? encodeLoose(value) : value;
}

/** One request to `op`: valid-ish or hostile in its path, query, body, media type and headers. */
export function requestArbitrary(
  op: Operation,
  doc: JsonSchema,
  opts: RequestOptions,
): fc.Arbitrary<FuzzRequest> {
  const param = (name: string, schema: JsonSchema) =>
    fc.oneof(
      { arbitrary: validValue(schema, doc, opts, name).map(String), weight: 10 },
      { arbitrary: fc.constantFrom(...HOSTILE_STRINGS.filter((x) => x.length < 6_000)), weight: 1 },
      { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 1 },
    );
  const path = fc
    .tuple(
      fc.tuple(...op.pathParams.map((p) => param(p.name, p.schema))),
      fc.boolean().map((raw) => !raw || op.pathParams.length === 0),
    )
    .map(([values, encode]) =>
      op.pathParams.reduce(
        (p, prm, i) => p.replace(`{${prm.name}}`, segment(values[i] ?? '', encode)),
        op.path,
      ),
    );
  const query = fc
    .tuple(
      ...op.query.map((q) =>
        fc
          .option(param(q.name, q.schema), { nil: undefined, freq: q.required ? 10 : 2 })
          .map((v) => [q.name, v] as const),
      ),
      // Now and then a parameter the operation does not take.
      fc.oneof(
        { arbitrary: fc.constant(null), weight: 6 },
        {
          arbitrary: fc.tuple(
            fc.constantFrom('unknown', 'limit', 'after', '__proto__'),
            fc.constantFrom(...HOSTILE_STRINGS.slice(0, 20)),
          ),
          weight: 1,
        },
      ),
    )
    .map((pairs) => {
      const entries = pairs.filter((p): p is readonly [string, string] => p !== null && p[1] !== undefined);
      return entries.length
        ? `?${entries.map(([k, v]) => `${encodeLoose(k)}=${encodeLoose(v)}`).join('&')}`
        : '';
    });
  const mutating = op.method !== 'GET' && op.method !== 'HEAD';
  const valid = validBody(op, doc, opts);
  const body: fc.Arbitrary<{ payload?: string | Buffer; contentType: string | null; label: string }> =
    !mutating
      ? fc.constant({ contentType: null, label: 'no body' })
      : fc.oneof(
          {
            arbitrary: valid.map((v) => ({
              payload: JSON.stringify(v),
              contentType: 'application/json',
              label: 'valid body',
            })),
            weight: 6,
          },
          {
            arbitrary: (op.body ? mutatedObject(op.body, doc, opts) : hostileValue({}, doc)).map((v) => ({
              payload: JSON.stringify(v) ?? 'null',
              contentType: 'application/json',
              label: 'one bad field',
            })),
            weight: 3,
          },
          {
            arbitrary: hostileValue(op.body ?? {}, doc).map((v) => ({
              payload: JSON.stringify(v) ?? 'null',
              contentType: 'application/json',
              label: 'wrong body type',
            })),
            weight: 1,
          },
          {
            arbitrary: fc
              .tuple(fc.constantFrom(...RAW_BODIES), fc.constantFrom(...CONTENT_TYPES))
              .map(([payload, contentType]) => ({ payload, contentType, label: 'raw body' })),
            weight: 2,
          },
          {
            arbitrary: valid.chain((v) =>
              fc
                .constantFrom(...CONTENT_TYPES)
                .map((contentType) => ({ payload: JSON.stringify(v), contentType, label: 'media type' })),
            ),
            weight: 1,
          },
        );
  const headers = fc.record(
    {
      key: fc.oneof(
        { arbitrary: fc.constant(opts.keys[0] ?? null), weight: 6 },
        { arbitrary: fc.constantFrom(...opts.keys), weight: 2 },
        {
          arbitrary: fc.constantFrom(
            'garbage',
            'Basic YWRtaW46YWRtaW4=',
            'Bearer',
            'Bearer ' + 'a'.repeat(5_000),
          ),
          weight: 1,
        },
      ),
      language: fc.constantFrom(...LANGUAGES),
      idempotencyKey: fc.oneof(
        { arbitrary: fc.constant(null), weight: 5 },
        { arbitrary: fc.stringMatching(/^[\x21-\x7E]{1,40}$/), weight: 3 },
        { arbitrary: fc.constantFrom('', ' ', 'a b', 'x'.repeat(256), 'k\u00e9y'), weight: 1 },
      ),
    },
    { requiredKeys: ['key', 'language'] },
  );
  return fc.tuple(path, query, body, headers).map(([p, q, b, h]) => {
    const out: Record<string, string> = { 'accept-language': h.language };
    if (h.key)
      out.authorization =
        h.key.startsWith('Basic') || h.key.startsWith('Bearer') || h.key === 'garbage'
          ? h.key
          : `Bearer ${h.key}`;
    if (b.contentType) out['content-type'] = b.contentType;
    if (
      h.idempotencyKey !== undefined &&
      h.idempotencyKey !== null &&
      /^[\x20-\xFF]*$/.test(h.idempotencyKey)
    )
      out['idempotency-key'] = h.idempotencyKey;
    return {
      method: op.method,
      url: p + q,
      headers: out,
      ...(b.payload !== undefined ? { payload: b.payload } : {}),
      label: b.label,
    };
  });
}
