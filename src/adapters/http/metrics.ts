/**
 * Prometheus metrics. Each {@link createMetrics} call owns its Registry, so two servers in one process
 * (tests build dozens) never collide on a metric name, and nothing lives in prom-client's global
 * registry.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the service counts; the app layer gets the three domain methods, the server the rest. */
export interface Metrics {
  readonly registry: Registry;
  /** An operation (deletion, card unbind, …) was started. */
  operationStarted(kind: string): void;
  /** An operation reached a terminal outcome ('completed', 'cancelled', 'refused', 'failed', …). */
  operationEnded(kind: string, outcome: string): void;
  /** A refusal: counts each distinct blocker code once. */
  refused(codes: readonly string[]): void;
  /** One HTTP exchange; `route` is the route pattern, never the raw URL (bounded cardinality). */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Collect prom-client's default process metrics (CPU, memory, event loop…). Default true. */
  defaultMetrics?: boolean;
}

/**
 * A fresh set of metrics in its own registry.
 *
 * @example
 * const metrics = createMetrics();
 * metrics.refused(['CARD_BOUND', 'BALANCE_NOT_ZERO']);
 * await metrics.registry.metrics(); // Prometheus text format
 */
export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const started = new Counter({
    name: 'realname_operations_started_total',
    help: 'Lifecycle operations started, by kind.',
    labelNames: ['kind'] as const,
    registers,
  });
  const ended = new Counter({
    name: 'realname_operations_ended_total',
    help: 'Lifecycle operations ended, by kind and outcome.',
    labelNames: ['kind', 'outcome'] as const,
    registers,
  });
  const refusals = new Counter({
    name: 'realname_refusals_total',
    help: 'Refused operations, once per distinct blocker code of each refusal.',
    labelNames: ['code'] as const,
    registers,
  });

  return {
    registry,
    operationStarted: (kind) => started.inc({ kind }),
    operationEnded: (kind, outcome) => ended.inc({ kind, outcome }),
    refused: (codes) => {
      // One blocker per card or per subscription can repeat a code; a refusal counts it once.
      for (const code of new Set(codes)) refusals.inc({ code });
    },
    observeRequest: (method, route, status, seconds) => {
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      duration.observe(labels, seconds);
    },
  };
}

/**
 * Count every request (onResponse) and serve `GET /metrics` in the Prometheus text format.
 *
 * @example
 * registerMetrics(app, metrics);
 */
export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    // Unmatched URLs share one label: a scanner must not mint a time series per path it tries.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.get('/metrics', { schema: { hide: true }, config: { rateLimit: false } }, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
