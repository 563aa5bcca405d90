/**
 * Benchmark helpers. Each benchmark measures the reference in the same run, on the same machine,
 * and prints one JSON line per comparison (DEVELOPERS.md):
 * {"bench","case","value","unit","reference","referenceValue","ratio"}.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { TEST_DATABASE_URL, type DialectName } from '../test/support/dialects.js';

export interface Measurement {
  opsPerSec: number;
  samples: number[];
}

/**
 * Run `fn` in rounds of fixed duration and report the median rate, which is robust to a noisy
 * neighbour on a shared machine. Rounds of the candidates are interleaved by the caller.
 */
export async function measure(
  fn: () => unknown,
  {
    rounds = 7,
    roundMs = 400,
    warmupMs = 300,
  }: { rounds?: number; roundMs?: number; warmupMs?: number } = {},
): Promise<Measurement> {
  const isAsync = fn() instanceof Promise;
  const runFor = async (ms: number): Promise<number> => {
    let n = 0;
    const end = performance.now() + ms;
    const start = performance.now();
    if (isAsync) {
      while (performance.now() < end) {
        await fn();
        n++;
      }
    } else {
      while (performance.now() < end) {
        for (let i = 0; i < 64; i++) fn();
        n += 64;
      }
    }
    return (n * 1000) / (performance.now() - start);
  };
  await runFor(warmupMs);
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) samples.push(await runFor(roundMs));
  samples.sort((a, b) => a - b);
  return { opsPerSec: samples[Math.floor(samples.length / 2)] as number, samples };
}

export interface Comparison {
  bench: string;
  case: string;
  value: number;
  unit: string;
  reference: string;
  referenceValue: number;
  ratio: number;
}

export function compare(
  bench: string,
  kase: string,
  value: number,
  unit: string,
  reference: string,
  referenceValue: number,
): Comparison {
  return {
    bench,
    case: kase,
    value: Math.round(value),
    unit,
    reference,
    referenceValue: Math.round(referenceValue),
    ratio: Math.round((value / referenceValue) * 100) / 100,
  };
}

export function printLines(lines: Comparison[]): void {
  for (const l of lines) console.log(JSON.stringify(l));
}

/** Why the PostgreSQL of the tests cannot be used (a benchmark then skips it), or null when it can. */
export async function postgresUnreachable(): Promise<string | null> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2_000 });
  try {
    await c.connect();
    await c.query('select 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * The dialects a benchmark runs on: those named in `envVar` (default `sqlite,postgres`), less
 * PostgreSQL when the test server cannot be reached (said on stderr, with the password hidden).
 *
 * @example for (const dialect of await benchDialects('BENCH_HTTP_DIALECTS')) lines.push(...(await runDialect(dialect)));
 */
export async function benchDialects(envVar: string): Promise<DialectName[]> {
  const wanted = (process.env[envVar] ?? 'sqlite,postgres').split(',').map((d) => d.trim());
  const out: DialectName[] = [];
  for (const dialect of ['sqlite', 'postgres'] as const) {
    if (!wanted.includes(dialect)) continue;
    if (dialect === 'postgres') {
      const why = await postgresUnreachable();
      if (why !== null) {
        console.error(
          `# postgres skipped: ${TEST_DATABASE_URL.replace(/:[^:@/]*@/, ':***@')} unreachable (${why})`,
        );
        continue;
      }
    }
    out.push(dialect);
  }
  return out;
}
