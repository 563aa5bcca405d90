/**
 * The timer worker: runs the sweep of due timers now (so a timer that fell due while the service
 * was down fires at start) and then every `intervalMs`, never two sweeps at once in one process.
 * Several workers (processes) may run against one PostgreSQL: each timer still fires once.
 */
import type { SweepResult, TimerService } from '../../app/timers.js';

export interface TimerWorker {
  /** Resolves when the sweep started by the call is done. */
  runOnce(): Promise<SweepResult>;
  stop(): Promise<void>;
}

export interface TimerWorkerOptions {
  timers: TimerService;
  intervalMs: number;
  log: { info(msg: string): void; warn(msg: string): void };
}

/** @example const worker = startTimerWorker({ timers, intervalMs: 5000, log }); … await worker.stop(); */
export function startTimerWorker(opts: TimerWorkerOptions): TimerWorker {
  let running: Promise<SweepResult> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const runOnce = (): Promise<SweepResult> => {
    running ??= opts.timers
      .sweep()
      .then((r) => {
        if (r.fired.length)
          opts.log.info(`timers: fired ${r.fired.map((f) => `${f.timer} ${f.operationId}`).join(', ')}`);
        return r;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  const loop = () => {
    if (stopped) return;
    runOnce()
      .catch((e: unknown) =>
        opts.log.warn(`timers: sweep failed, retrying: ${e instanceof Error ? e.message : String(e)}`),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, opts.intervalMs);
      });
  };
  loop();

  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
