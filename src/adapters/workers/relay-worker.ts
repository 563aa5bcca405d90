/**
 * The relay worker: runs each outbox relay (SET push delivery, R-NOTIFY-1; the optional NATS relay)
 * now and then every `intervalMs` of real time, each in its own loop so a slow one does not hold
 * the others back, and never two passes of one relay at once in one process. Several workers
 * (processes) may run: the relays claim what they work on in the store.
 */

/** One relay: a pass does what is due now. */
export interface Relay {
  readonly name: string;
  runOnce(): Promise<unknown>;
  /** Called once when the worker stops (e.g. close a connection). */
  close?(): Promise<void>;
}

export interface RelayWorker {
  /** One pass of every relay (joining a pass already running); resolves with each relay's result. */
  runOnce(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export interface RelayWorkerOptions {
  relays: readonly Relay[];
  intervalMs: number;
  log: { info(msg: string): void; warn(msg: string): void };
}

/** @example const worker = startRelayWorker({ relays: [pushRelay], intervalMs: 5000, log }); … await worker.stop(); */
export function startRelayWorker(opts: RelayWorkerOptions): RelayWorker {
  const running = new Map<string, Promise<unknown>>();
  const timers = new Map<string, NodeJS.Timeout>();
  let stopped = false;

  const pass = (relay: Relay): Promise<unknown> => {
    let p = running.get(relay.name);
    if (!p) {
      p = relay.runOnce().finally(() => running.delete(relay.name));
      running.set(relay.name, p);
    }
    return p;
  };

  const loop = (relay: Relay) => {
    if (stopped) return;
    pass(relay)
      .catch((e: unknown) =>
        opts.log.warn(
          `relay ${relay.name}: pass failed, retrying: ${e instanceof Error ? e.message : String(e)}`,
        ),
      )
      .finally(() => {
        if (!stopped)
          timers.set(
            relay.name,
            setTimeout(() => loop(relay), opts.intervalMs),
          );
      });
  };
  for (const relay of opts.relays) loop(relay);

  return {
    async runOnce() {
      const results = await Promise.all(opts.relays.map(async (r) => [r.name, await pass(r)] as const));
      return Object.fromEntries(results);
    },
    async stop() {
      stopped = true;
      for (const t of timers.values()) clearTimeout(t);
      await Promise.all([...running.values()].map((p) => p.catch(() => undefined)));
      for (const relay of opts.relays) await relay.close?.().catch(() => undefined);
    },
  };
}
