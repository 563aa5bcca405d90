/**
 * After a revocation (R-REV-5/6, R-REG-3, R-MIN-5): what the account can no longer do, each with its
 * rule and end, and the way back (R-REV-7: a card bound again and 3 verified transactions).
 */
import { ok, type Client } from '../shared/api';
import { dateTime, money } from '../shared/format';
import { useI18n } from '../shared/i18n';
import { Loading, ProblemView, useLoad } from '../shared/ui';

export function Capabilities({
  api,
  accountId,
  version,
}: {
  api: Client;
  accountId: string;
  version: number;
}) {
  const { t, pick, lang } = useI18n();
  const caps = useLoad(
    () => ok(api.GET('/v1/accounts/{accountId}/capabilities', { params: { path: { accountId } } })),
    [accountId, version],
  );
  const c = caps.data;
  const restricted = c?.capabilities.filter((x) => x.restricted) ?? [];
  return (
    <section className="card" id="capabilities" aria-labelledby="caps-h">
      <h2 id="caps-h">{t('capabilitiesHeading')}</h2>
      <ProblemView error={caps.error} />
      {!c ? (
        <Loading />
      ) : (
        <>
          {restricted.length === 0 ? (
            <p className="ok badge" data-testid="no-restrictions">
              {t('noRestrictions')}
            </p>
          ) : (
            <ul data-testid="restrictions">
              {restricted.map((x) => (
                <li key={x.code}>
                  <strong>{x.consequence ? pick(x.consequence.message) : x.code}</strong>{' '}
                  <span className="muted small">({x.rule})</span>
                  <br />
                  <span className="small">
                    {x.until !== null
                      ? t('restrictedUntil', { at: dateTime(x.until, lang) })
                      : t('restrictedUntilLifted', { by: x.liftedBy.join(' / ') })}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {c.restoration.status !== 'not_applicable' && (
            <div data-testid="restoration">
              <h3>{t('restorationHeading')}</h3>
              {c.restoration.status === 'restored' ? (
                <p className="ok badge">
                  {t('restored', {
                    at: c.restoration.restoredAt ? dateTime(c.restoration.restoredAt, lang) : '',
                  })}
                </p>
              ) : (
                <>
                  <p>
                    {c.restoration.cardBound ? '✓' : '✗'} {t('restoreCard')}
                  </p>
                  <p>
                    <label htmlFor="restore-progress">
                      {t('restoreTransactions', {
                        done: c.restoration.verifiedTransactions,
                        required: c.restoration.required,
                      })}
                    </label>{' '}
                    <progress
                      id="restore-progress"
                      max={c.restoration.required}
                      value={Math.min(c.restoration.verifiedTransactions, c.restoration.required)}
                    />
                  </p>
                </>
              )}
            </div>
          )}
          {restricted.some((x) => x.code === 'daily_receive_limit') && (
            <p className="small">
              {t('receivedToday', {
                received: money(c.receiving.receivedToday, lang),
                remaining: money(c.receiving.remainingToday, lang),
              })}
            </p>
          )}
          {c.merchantRecordsRetained && <p className="notice">{pick(c.merchantRecordsRetained.message)}</p>}
        </>
      )}
    </section>
  );
}
