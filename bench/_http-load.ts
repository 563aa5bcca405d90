/**
 * The load generator of `bench/http.ts`, run in a worker thread so that autocannon does not share
 * the event loop of the service it measures (on a 2-core machine the server gets the main thread,
 * autocannon and the database share the other core). Started by {@link runLoad}; the worker reads
 * a {@link LoadSpec}, runs a warm-up and then the measured run with the same request generator, and
 * posts back a {@link LoadResult}.
 *
 * autocannon ships no types; the small part used here is typed below.
 */
import { createRequire } from 'node:module';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

export type LoadTarget =
  /** The same GET on every request. */
  | { kind: 'get'; path: string }
  /**
   * POST card-unbind, each request a distinct (account, card) pair: request k takes account
   * `k % accounts` and card `d${floor(k / accounts)}`, so concurrent requests hit different
   * accounts. The last card of each account (`d${cardsPerAccount - 1}`) is never unbound.
   */
  | { kind: 'unbind'; accountPrefix: string; accounts: number; cardsPerAccount: number }
  /**
   * Requests from a list, in order: each used once (`cycle: false`, e.g. distinct card unbinds; the
   * run ends when the list does) or round and round (`cycle: true`, e.g. reads of many accounts).
   */
  | {
      kind: 'list';
      cycle: boolean;
      requests: { method: 'GET' | 'POST'; path: string; body?: unknown }[];
    };

export interface LoadSpec {
  /**
   * `http://127.0.0.1:<port>`, or several (processes of one service): connection k goes to url
   * k % n, so give a multiple of n connections.
   */
  url: string | string[];
  connections: number;
  warmupSeconds: number;
  seconds: number;
  headers: Record<string, string>;
  target: LoadTarget;
}

export interface LoadResult {
  /** Measured wall time of the run (autocannon's `duration`, or to the last response when the requests ran out). */
  seconds: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** 2xx responses per second. */
  okPerSec: number;
  p50: number;
  p99: number;
  /** The first few non-2xx responses (status and start of the body), for diagnosis. */
  failures: { status: number; body: string }[];
  /** Unbind and single-use lists: requests issued past the last usable one (they are duplicates). */
  exhausted: number;
  /** Unbind and lists: requests taken, warm-up included. */
  consumed: number;
}

interface AutocannonRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  setupRequest?: (req: AutocannonRequest, context: object) => AutocannonRequest;
  onResponse?: (status: number, body: string, context: object) => void;
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p99: number };
}

interface AutocannonOptions {
  url: string | string[];
  connections: number;
  duration: number;
  headers?: Record<string, string>;
  requests: AutocannonRequest[];
  maxOverallRequests?: number;
}

interface Autocannon {
  // In a worker thread the callback gets the raw (encoded) result: aggregateResult() decodes it.
  (opts: AutocannonOptions, cb: (err: Error | null, raw: unknown) => void): unknown;
  aggregateResult(results: unknown[], opts: Partial<AutocannonOptions>): AutocannonResult;
}

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function run(
  spec: LoadSpec,
  seconds: number,
  request: AutocannonRequest,
  maxOverallRequests?: number,
): Promise<AutocannonResult> {
  const opts: AutocannonOptions = {
    url: spec.url,
    connections: spec.connections,
    duration: seconds,
    headers: spec.headers,
    requests: [request],
    ...(maxOverallRequests === undefined ? {} : { maxOverallRequests }),
  };
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, raw) => {
      if (err) reject(err);
      else resolve(autocannon.aggregateResult([raw], opts));
    });
  });
}

async function work(spec: LoadSpec): Promise<LoadResult> {
  const failures: LoadResult['failures'] = [];
  let lastResponseAt = 0;
  const onResponse = (status: number, body: string) => {
    lastResponseAt = performance.now();
    if ((status < 200 || status >= 300) && failures.length < 5)
      failures.push({ status, body: body.slice(0, 300) });
  };
  let next = 0;
  let exhausted = 0;
  /** The index of the next request of `n`, round and round; past the end counted as exhausted when `once`. */
  const take = (n: number, once: boolean): number => {
    const k = next++;
    if (k < n) return k;
    if (once) exhausted++;
    return k % n;
  };
  let request: AutocannonRequest;
  let usable = Infinity;
  const t = spec.target;
  if (t.kind === 'get') {
    request = { method: 'GET', path: t.path, onResponse };
  } else if (t.kind === 'list') {
    const list = t.requests.map((r) => ({
      method: r.method,
      path: r.path,
      ...(r.body === undefined ? {} : { body: JSON.stringify(r.body) }),
    }));
    if (!t.cycle) usable = list.length;
    request = {
      onResponse,
      setupRequest: (req) => {
        const item = list[take(list.length, !t.cycle)]!;
        return {
          ...req,
          ...item,
          headers: { ...req.headers, ...(item.body ? { 'content-type': 'application/json' } : {}) },
        };
      },
    };
  } else {
    usable = t.accounts * (t.cardsPerAccount - 1);
    request = {
      method: 'POST',
      onResponse,
      setupRequest: (req) => {
        const k = take(usable, true);
        const account = `${t.accountPrefix}${k % t.accounts}`;
        const cardId = `d${Math.floor(k / t.accounts)}`;
        return {
          ...req,
          path: `/v1/accounts/${account}/operations/card-unbind`,
          headers: { ...req.headers, 'content-type': 'application/json' },
          body: JSON.stringify({
            cardId,
            evidence: [{ kind: 'reserved_phone_code', ref: `vrf_${account}_${cardId}` }],
          }),
        };
      },
    };
  }
  if (spec.warmupSeconds > 0) await run(spec, spec.warmupSeconds, request);
  failures.length = 0;
  exhausted = 0;
  // Never ask for more pairs than are left (autocannon then ends early; the rate stays valid).
  const left = usable - next;
  const cap = Number.isFinite(left) ? Math.max(left, spec.connections) : undefined;
  const startedAt = performance.now();
  const r = await run(spec, spec.seconds, request, cap);
  // A run that ends because its pairs ran out is only noticed at autocannon's next 1-second tick:
  // its rate is over the time to the last response, not to that tick.
  const seconds =
    cap !== undefined && next >= usable
      ? Math.min(r.duration, (lastResponseAt - startedAt) / 1000)
      : r.duration;
  const statusCodes: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats)) statusCodes[code] = s.count;
  return {
    seconds,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    okPerSec: r['2xx'] / seconds,
    p50: r.latency.p50,
    p99: r.latency.p99,
    failures,
    exhausted,
    consumed: next,
  };
}

/**
 * Run `spec` in a worker thread and resolve with its result. The worker loads this file through
 * tsx's `tsImport` (a worker does not inherit the tsx loader of the main thread).
 */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const api = import.meta.resolve('tsx/esm/api');
  const self = import.meta.url.split('?')[0]!;
  const boot = `import(${JSON.stringify(api)}).then(({ tsImport }) => tsImport(${JSON.stringify(self)}, ${JSON.stringify(self)}))`;
  const worker = new Worker(boot, { eval: true, workerData: spec });
  return new Promise((resolve, reject) => {
    let settled = false;
    worker.once('message', (m: { result?: LoadResult; error?: string }) => {
      settled = true;
      if (m.result) resolve(m.result);
      else reject(new Error(`load worker: ${m.error ?? 'no result'}`));
      void worker.terminate();
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`load worker exited (code ${code}) without a result`));
    });
  });
}

if (!isMainThread && parentPort && (workerData as LoadSpec | undefined)?.target) {
  const port = parentPort;
  work(workerData as LoadSpec).then(
    (result) => port.postMessage({ result }),
    (error: unknown) =>
      port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
}
