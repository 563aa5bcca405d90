/**
 * The development clock (SPEC §4): in development and test mode only, time can be moved forward
 * through the API, so that a 60-day cooling-off is crossed in seconds. The routes exist only when the
 * composition root passes a ManualClock; otherwise a stub answers 404 DEV_CLOCK_DISABLED, so that a
 * script aimed at the wrong server is told why instead of getting a bare 404.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

import { parseIsoDuration, type ManualClock } from '../../core/clock.js';
import { DomainError } from '../../core/errors/index.js';
import { requireScope } from './auth.js';
import { FieldValidationError, problemResponses } from './errors.js';

/** 9999-12-31T23:59:59.999Z: the latest instant the dev clock may be moved to. */
const LATEST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The dev clock's path. */
export const DEV_CLOCK_PATH = '/v1/dev/clock';

function durationProblem(value: string): string | null {
  try {
    parseIsoDuration(value);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** `{ "advance": "P60D" }` or `{ "set": "2026-10-01T10:00:00+08:00" }`, exactly one. */
export const ClockMoveSchema = z
  .strictObject({
    advance: z
      .string()
      .optional()
      .describe('ISO-8601 duration of weeks, days, hours, minutes, seconds: "P60D", "PT2H", "P1DT30M".'),
    set: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('ISO-8601 instant with its offset: "2026-10-01T10:00:00+08:00" or "…Z".'),
  })
  .superRefine((move, ctx) => {
    if ((move.advance === undefined) === (move.set === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of "advance" or "set"', path: [] });
    }
    if (move.advance !== undefined) {
      const problem = durationProblem(move.advance);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, path: ['advance'] });
    }
  })
  .describe('Move the clock: exactly one of "advance" or "set".');

/** The clock's reading. */
export const ClockReadingSchema = z.object({
  now: z.string().describe('ISO-8601, UTC.'),
  nowMs: z.number().int().describe('Epoch milliseconds.'),
});

/** Options of {@link devClockRoutes}. */
export interface DevClockOptions {
  /** The clock to move; null or undefined registers the 404 stub instead. */
  devClock?: ManualClock | null;
}

/**
 * `GET` and `POST /v1/dev/clock` (admin scope) when a ManualClock is given; a 404 DEV_CLOCK_DISABLED
 * stub otherwise.
 *
 * @example
 * await app.register(devClockRoutes, { devClock: config.devMode ? clock : null });
 */
// Synchronous registration; the promise is only the shape Fastify's `register` expects of a plugin.
export function devClockRoutes(app: FastifyInstance, opts: DevClockOptions): Promise<void> {
  const clock = opts.devClock ?? null;
  if (clock === null) {
    const disabled = (): never => {
      throw new DomainError('DEV_CLOCK_DISABLED');
    };
    app.route({ method: ['GET', 'POST'], url: DEV_CLOCK_PATH, schema: { hide: true }, handler: disabled });
    return Promise.resolve();
  }

  const r = app.withTypeProvider<ZodTypeProvider>();
  const reading = () => {
    const nowMs = clock.now();
    return { now: new Date(nowMs).toISOString(), nowMs };
  };
  const common = {
    tags: ['dev'],
    response: { 200: ClockReadingSchema, ...problemResponses(400, 401, 403) },
  };

  r.get(
    DEV_CLOCK_PATH,
    { preHandler: requireScope('admin'), schema: { ...common, summary: 'Read the development clock' } },
    () => reading(),
  );

  r.post(
    DEV_CLOCK_PATH,
    {
      preHandler: requireScope('admin'),
      schema: { ...common, summary: 'Move the development clock', body: ClockMoveSchema },
    },
    (request) => {
      const before = clock.now();
      const { advance, set } = request.body;
      // The schema admits what Date.parse may still not read (e.g. a year beyond ±275760).
      const target = advance !== undefined ? before + parseIsoDuration(advance) : Date.parse(set ?? '');
      if (!Number.isFinite(target))
        throw new FieldValidationError([{ path: 'body.set', message: 'not a valid instant' }]);
      // Every instant the service stores and answers is epoch milliseconds from 1970 on: a clock
      // moved outside the years 1970–9999 made every later request a 500 (found by the fuzz suite).
      if (target < 0 || target > LATEST_INSTANT)
        throw new FieldValidationError([
          {
            path: advance !== undefined ? 'body.advance' : 'body.set',
            message: 'the clock must stay between 1970-01-01 and 9999-12-31 (UTC)',
          },
        ]);
      if (advance !== undefined) clock.advance(target - before);
      else clock.set(target);
      // Every decision after this reads the new time; say so loudly in the log.
      request.log.warn({ from: before, to: clock.now(), by: request.principal?.keyId }, 'dev clock moved');
      return reading();
    },
  );
  return Promise.resolve();
}
