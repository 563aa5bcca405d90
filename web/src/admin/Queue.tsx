/** The review queue by due date (R-ABN-2, R-CHG-4, R-MIN-3): working days left on the Chinese calendar, overdue flagged. */
import { useState } from 'react';
import { ok, type Client } from '../shared/api';
import { date } from '../shared/format';
import { kindLabel, useI18n } from '../shared/i18n';
import { Loading, ProblemView, useLoad } from '../shared/ui';

export function Queue({ api, onOpen }: { api: Client; onOpen: (operationId: string) => void }) {
  const { t, lang } = useI18n();
  const [overdueOnly, setOverdueOnly] = useState(false);
  const queue = useLoad(
    () =>
      ok(
        api.GET('/v1/reviews', {
          params: { query: { limit: 200, ...(overdueOnly ? { overdue: 'true' } : {}) } },
        }),
      ),
    [overdueOnly],
  );
  return (
    <section className="card" aria-labelledby="queue-h">
      <h2 id="queue-h">{t('queueHeading')}</h2>
      <div className="row">
        <label className="check">
          <input type="checkbox" checked={overdueOnly} onChange={(e) => setOverdueOnly(e.target.checked)} />
          <span>{t('overdueOnly')}</span>
        </label>
        <button type="button" className="secondary" onClick={queue.reload}>
          {t('refresh')}
        </button>
      </div>
      <ProblemView error={queue.error} />
      {!queue.data ? (
        <Loading />
      ) : queue.data.items.length === 0 ? (
        <p className="muted">{t('queueEmpty')}</p>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="queue-h">
          <table data-testid="queue">
            <thead>
              <tr>
                <th scope="col">{t('due')}</th>
                <th scope="col">{t('kind')}</th>
                <th scope="col">{t('account')}</th>
                <th scope="col">{t('claimedBy')}</th>
                <th scope="col">
                  <span className="muted">{t('open')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {queue.data.items.map((r) => (
                <tr key={r.operationId} data-testid="queue-row" data-account={r.accountId}>
                  <td>
                    {r.dueAt !== null ? date(r.dueAt, lang) : '—'}
                    <br />
                    {r.overdue ? (
                      <span className="badge bad">
                        {t('overdue', { days: Math.abs(r.workingDaysLeft ?? 0) })}
                      </span>
                    ) : r.workingDaysLeft !== null ? (
                      <span className="badge ok">{t('workingDaysLeft', { days: r.workingDaysLeft })}</span>
                    ) : null}
                  </td>
                  <td>
                    {kindLabel(t, r.kind)}
                    {r.step === 2 ? <span className="muted small"> · {t('secondStep')}</span> : null}
                  </td>
                  <td>
                    <code>{r.accountId}</code>
                  </td>
                  <td>{r.claimedBy ?? <span className="muted">{t('unclaimed')}</span>}</td>
                  <td>
                    <button type="button" onClick={() => onOpen(r.operationId)} data-testid="open-case">
                      {t('openCase')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
