/**
 * The typed API client of both pages: openapi-fetch over the types generated from the service's
 * /openapi.json (`npm run gen:api`), with the bearer token and the page's language on every request.
 * A problem+json answer becomes an {@link ApiError} carrying the stable code, the message in the
 * page's language and, for a refused operation, every blocker.
 */
import createClient from 'openapi-fetch';
import type { paths } from '../api/schema';
import type { Lang } from './i18n';

export type Paths = paths;

type Responses<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? R
  : never;
/** The JSON body of a successful answer of a route (200 by default). */
export type Ok<P extends keyof paths, M extends keyof paths[P], S extends number = 200> =
  Responses<P, M> extends Record<S, { content: { 'application/json': infer J } }> ? J : never;

/** The JSON body a route takes. */
export type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer J } };
}
  ? J
  : never;

export type Preflight = Ok<'/v1/accounts/{accountId}/operations/deletion/preflight', 'get'>;
export type Blocker = Preflight['blockers'][number];
export type Operation = Ok<'/v1/accounts/{accountId}/operations/{operationId}', 'get'>;
export type Localized = { en: string; 'zh-CN': string };

/** An RFC 9457 problem as the service sends it. */
export interface Problem {
  code: string;
  title?: string;
  status?: number;
  message: string;
  requestId?: string;
  blockers?: Blocker[];
  errors?: { path: string; message: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${problem.code}: ${problem.message}`);
  }
}

export type Client = ReturnType<typeof createClient<paths>>;

/** A client that sends `token()` as the bearer and `lang()` as Accept-Language. */
export function makeClient(token: () => string | null, lang: () => Lang): Client {
  const client = createClient<paths>({ baseUrl: window.location.origin });
  client.use({
    onRequest({ request }) {
      const t = token();
      if (t) request.headers.set('Authorization', `Bearer ${t}`);
      request.headers.set('Accept-Language', lang());
      return request;
    },
  });
  return client;
}

/**
 * The data of an answer, or an ApiError with its problem.
 * @example const check = await ok(api.GET('/v1/accounts/{accountId}/check', { params: { path: { accountId } } }));
 */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || error !== undefined) {
    const problem =
      error && typeof error === 'object' && 'code' in error
        ? (error as Problem)
        : { code: `HTTP_${response.status}`, message: response.statusText };
    throw new ApiError(response.status, problem);
  }
  return data as T;
}

/**
 * A GET that answers a file (export, evidence), with the same headers: the bytes and their type.
 * Evidence and exports need the bearer token, so a plain link cannot fetch them.
 */
export async function fetchBlob(url: string, token: string | null, lang: Lang): Promise<Blob> {
  const response = await fetch(url, {
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Accept-Language': lang },
  });
  if (!response.ok) {
    const problem = (await response.json().catch(() => null)) as Problem | null;
    throw new ApiError(
      response.status,
      problem ?? { code: `HTTP_${response.status}`, message: response.statusText },
    );
  }
  return response.blob();
}

/** Save a blob as a download named `name`. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Base64 of bytes, for the evidence upload (JSON body). */
export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
