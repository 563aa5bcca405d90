// TEMPORARY diagnostic (deleted after use): is Kysely's SQLite connection mutex FIFO under the unbind load?
import { performance } from 'node:perf_hooks';
import { SqliteDialect } from 'kysely';
import { demoIdNumber } from '../src/adapters/cli/demo.js';
import { ADMIN_KEY, startService, T0 } from '../test/support/service.js';
import { runLoad } from './_http-load.js';

const Driver = new SqliteDialect({ database: {} as never }).createDriver().constructor as {
  prototype: { acquireConnection(): Promise<unknown>; releaseConnection(c: unknown): Promise<void> };
};
let ticket = 0;
let granted = 0;
const waits: number[] = [];
const overtaken: number[] = [];
let holdStart = 0;
const holds: number[] = [];
let recording = false;
const origAcquire = Driver.prototype.acquireConnection;
const origRelease = Driver.prototype.releaseConnection;
Driver.prototype.acquireConnection = async function (this: unknown) {
  const my = ticket++;
  const t = performance.now();
  const c = await origAcquire.call(this);
  const order = granted++;
  holdStart = performance.now();
  if (recording) {
    waits.push(holdStart - t);
    overtaken.push(Math.max(0, order - my));
  }
  return c;
};
Driver.prototype.releaseConnection = async function (this: unknown, c: unknown) {
  if (recording) holds.push(performance.now() - holdStart);
  return origRelease.call(this, c);
};

const s = await startService('sqlite', { REALNAME_RATE_LIMIT: '100000000' });
try {
  for (let i = 0; i < 200; i++) {
    const id = `acc_u_${i}`;
    await s.call('POST', '/v1/accounts', { body: { id, region: 'CN', phone: '+86 13812345678' } });
    await s.call('POST', `/v1/accounts/${id}/identity`, { body: { name: '张三', documentType: 'cn_id', documentNumber: demoIdNumber(i + 2) } });
    await s.call('PUT', `/v1/accounts/${id}/devices/dev_primary`, { body: { platform: 'android', osVersion: '14', primary: true, addedAt: T0 - 400 * 86_400_000 } });
    await s.rn.store.withAccount(id, async (tx) => {
      for (let j = 0; j < 30; j++) await tx.putFact('cards', { id: `d${j}`, type: 'debit', last4: '1234', bank: 'ICBC', reservedPhoneMasked: '138****5678', boundAt: T0 });
    });
  }
  await s.rn.server.listen({ port: 0, host: '127.0.0.1' });
  const port = (s.rn.server.server.address() as { port: number }).port;
  const server: number[] = [];
  const stages: number[] = [];
  s.rn.server.server.prependListener('request', (req, res) => {
    const t = performance.now();
    res.once('finish', () => { if (recording) server.push(performance.now() - t); });
    void req;
  });
  recording = true;
  ticket = granted = 0;
  void stages;
  const r = await runLoad({ url: `http://127.0.0.1:${port}`, connections: 50, warmupSeconds: 0, seconds: 5, headers: { authorization: `Bearer ${ADMIN_KEY}` }, target: { kind: 'unbind', accountPrefix: 'acc_u_', accounts: 200, cardsPerAccount: 30 } });
  recording = false;
  const q = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.floor(a.length * p)]!.toFixed(1);
  console.error(`unbind ${r.okPerSec.toFixed(0)} req/s p50 ${r.p50} p99 ${r.p99}; acquisitions ${waits.length}`);
  console.error(`mutex wait ms: p50 ${q(waits, 0.5)} p90 ${q(waits, 0.9)} p99 ${q(waits, 0.99)} max ${Math.max(...waits).toFixed(1)}`);
  console.error(`hold ms: p50 ${q(holds, 0.5)} p99 ${q(holds, 0.99)} max ${Math.max(...holds).toFixed(1)}; total held ${(holds.reduce((a, b) => a + b, 0) / 1000).toFixed(2)} s of 5`);
  console.error(`server-side (request event → finish) ms: p50 ${q(server, 0.5)} p90 ${q(server, 0.9)} p99 ${q(server, 0.99)} max ${Math.max(...server).toFixed(1)} n=${server.length}`);
  console.error(`overtaken by later requesters: p50 ${q(overtaken, 0.5)} p90 ${q(overtaken, 0.9)} p99 ${q(overtaken, 0.99)} max ${Math.max(...overtaken)}`);
} finally {
  await s.stop();
}
