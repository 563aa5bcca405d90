/**
 * Operations by kind and outcome, starts against refusals per kind, and the refusal codes users were
 * shown — most frequent first, and day by day. The source documents' success rate under 35% came
 * mostly from one cause users were never told: here an operator sees it at the top of the list.
 */
import { useState } from 'react';
import { ok, type Client } from '../shared/api';
import { percent } from '../shared/format';
import { kindLabel, useI18n } from '../shared/i18n';
import { Loading, ProblemView, useLoad } from '../shared/ui';

export function Dashboard({ api }: { api: Client }) {
  const { t, lang, pick } = useI18n();
  const [days, setDays] = useState(30);
  const stats = useLoad(() => ok(api.GET('/v1/admin/stats', { params: { query: { days } } })), [days]);
  const d = stats.data;
  const maxDay = Math.max(1, ...(d?.byDay.map((x) => x.refusals) ?? [1]));
  return (
    <section className="card" aria-labelledby="dash-h">
      <h2 id="dash-h">{t('dashboardHeading')}</h2>
      <label className="inline">
        <span>{t('window')}</span>
        <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
          {[7, 30, 90].map((n) => (
            <option key={n} value={n}>
              {t('lastDays', { n })}
            </option>
          ))}
        </select>
      </label>
      <ProblemView error={stats.error} />
      {!d ? (
        <Loading />
      ) : (
        <>
          <h3 id="top-h">{t('topCodes')}</h3>
          <p className="muted">{t('topCodesHint', { refusals: d.refusals })}</p>
          {d.topCodes.length === 0 ? (
            <p className="muted">{t('none')}</p>
          ) : (
            <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="top-h">
              <table data-testid="top-codes">
                <thead>
                  <tr>
                    <th scope="col">{t('code')}</th>
                    <th scope="col">{t('refusals')}</th>
                    <th scope="col">{t('share')}</th>
                    <th scope="col">{t('toldToUsers')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.topCodes.map((c) => (
                    <tr key={c.code} data-code={c.code}>
                      <td>
                        <code>{c.code}</code>
                        <br />
                        <span className="muted small">{c.rule}</span>
                      </td>
                      <td>{c.count}</td>
                      <td>
                        <span
                          className="bar"
                          style={{ width: `${Math.round(c.share * 8)}rem` }}
                          aria-hidden="true"
                        />{' '}
                        {percent(c.share, lang)}
                      </td>
                      <td className="small">{pick(c.remediation)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h3 id="attempts-h">{t('attemptsHeading')}</h3>
          <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="attempts-h">
            <table data-testid="attempts">
              <thead>
                <tr>
                  <th scope="col">{t('kind')}</th>
                  <th scope="col">{t('started')}</th>
                  <th scope="col">{t('refused')}</th>
                  <th scope="col">{t('successRate')}</th>
                </tr>
              </thead>
              <tbody>
                {d.attempts.map((a) => (
                  <tr key={a.kind}>
                    <td>{kindLabel(t, a.kind)}</td>
                    <td>{a.started}</td>
                    <td>{a.refused}</td>
                    <td>
                      {a.successRate === null ? '—' : percent(a.successRate, lang)}
                      {a.successRate !== null && a.successRate < 0.35 ? (
                        <span className="badge bad"> {t('lowSuccess')}</span>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h3 id="days-h">{t('byDayHeading')}</h3>
          <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="days-h">
            <table data-testid="by-day">
              <thead>
                <tr>
                  <th scope="col">{t('day')}</th>
                  <th scope="col">{t('refusals')}</th>
                  <th scope="col">{t('codesThatDay')}</th>
                </tr>
              </thead>
              <tbody>
                {d.byDay
                  .filter((x) => x.refusals > 0 || days <= 7)
                  .map((x) => (
                    <tr key={x.day}>
                      <td>{x.day}</td>
                      <td>
                        <span
                          className="bar"
                          style={{ width: `${(x.refusals / maxDay) * 8}rem` }}
                          aria-hidden="true"
                        />{' '}
                        {x.refusals}
                      </td>
                      <td className="small">
                        {Object.entries(x.codes)
                          .sort((a, b) => b[1] - a[1])
                          .map(([code, n]) => `${code} ×${n}`)
                          .join(', ')}
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
          <h3 id="outcomes-h">{t('outcomesHeading')}</h3>
          <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="outcomes-h">
            <table data-testid="outcomes">
              <thead>
                <tr>
                  <th scope="col">{t('kind')}</th>
                  <th scope="col">{t('outcome')}</th>
                  <th scope="col">{t('count')}</th>
                </tr>
              </thead>
              <tbody>
                {d.operations.map((o) => (
                  <tr key={`${o.kind}-${o.outcome}`}>
                    <td>{kindLabel(t, o.kind)}</td>
                    <td>{o.outcome}</td>
                    <td>{o.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
