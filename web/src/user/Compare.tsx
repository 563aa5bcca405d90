/** R-CMP-1: delete the account, unbind the cards, or change the subject — side by side, for this account. */
import { ok, type Client } from '../shared/api';
import { useI18n } from '../shared/i18n';
import { Loading, ProblemView, useLoad } from '../shared/ui';
import type { Selection } from './selection';

function hours(h: number, t: (k: 'hoursShort' | 'daysShort', p: Record<string, number>) => string): string {
  return h >= 48 ? t('daysShort', { n: Math.round(h / 24) }) : t('hoursShort', { n: h });
}

/** The rows that list a route's items, each headed by the message of the same name. */
const LISTS = ['dataKept', 'functionsLost'] as const;

export function Compare({
  api,
  accountId,
  deviceId,
  version,
  onSelect,
}: {
  api: Client;
  accountId: string;
  deviceId: string | null;
  version: number;
  onSelect: (s: Selection) => void;
}) {
  const { t, pick } = useI18n();
  const cmp = useLoad(
    () =>
      ok(
        api.GET('/v1/accounts/{accountId}/comparison', {
          params: { path: { accountId }, query: deviceId ? { deviceId } : {} },
        }),
      ),
    [accountId, deviceId, version],
  );
  const routes = cmp.data?.routes ?? [];
  return (
    <section className="card" id="compare" aria-labelledby="cmp-h">
      <h2 id="cmp-h">{t('compareHeading')}</h2>
      <p className="muted">{t('compareHint')}</p>
      <ProblemView error={cmp.error} />
      {!cmp.data ? (
        <Loading />
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="cmp-h">
          <table data-testid="comparison">
            <thead>
              <tr>
                <th scope="col">
                  <span className="muted">{t('route')}</span>
                </th>
                {routes.map((r) => (
                  <th scope="col" key={r.route}>
                    {pick(r.title.label)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">{t('timeToComplete')}</th>
                {routes.map((r) => (
                  <td key={r.route}>
                    {r.timeToComplete.minHours === r.timeToComplete.maxHours
                      ? hours(r.timeToComplete.minHours, t)
                      : `${hours(r.timeToComplete.minHours, t)} – ${hours(r.timeToComplete.maxHours, t)}`}
                  </td>
                ))}
              </tr>
              {LISTS.map((list) => (
                <tr key={list}>
                  <th scope="row">{t(list)}</th>
                  {routes.map((r) => (
                    <td key={r.route}>
                      <ul className="plain">
                        {r[list].map((d) => (
                          <li key={d.key}>{pick(d.label)}</li>
                        ))}
                      </ul>
                    </td>
                  ))}
                </tr>
              ))}
              <tr>
                <th scope="row">{t('recoverability')}</th>
                {routes.map((r) => (
                  <td key={r.route}>
                    {pick(r.recoverability.label)}{' '}
                    <span className={`badge ${r.reversible ? 'ok' : 'bad'}`}>
                      {r.reversible ? t('reversible') : t('irreversible')}
                    </span>
                  </td>
                ))}
              </tr>
              <tr>
                <th scope="row">{t('yourBlockers')}</th>
                {routes.map((r) => (
                  <td key={r.route}>
                    <p>
                      <span className={`badge ${r.allowed ? 'ok' : 'warn'}`}>
                        {r.allowed
                          ? t('canStart')
                          : r.blockers.length > 0
                            ? t('blockerCount', { count: r.blockers.length })
                            : t('notApplicable')}
                      </span>
                    </p>
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => onSelect({ kind: r.route as Selection['kind'] })}
                    >
                      {t('openRoute')}
                    </button>
                  </td>
                ))}
              </tr>
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
