/** R-CHK-1: real-name status, anomalies, open operations, and "lock my account" in one step. */
import { useState } from 'react';
import { ok, type Client, type Ok } from '../shared/api';
import { useI18n } from '../shared/i18n';
import { dateTime } from '../shared/format';
import type { MessageKey } from '../shared/messages';
import { ActionButton, Loading, ProblemView, type Loaded } from '../shared/ui';
import type { Selection } from './selection';

type Facts = Ok<'/v1/accounts/{accountId}', 'get'>;
type Check = Ok<'/v1/accounts/{accountId}/check', 'get'>;

const STATUS_CLASS: Record<string, string> = {
  active: 'ok',
  verified: 'ok',
  frozen: 'bad',
  banned: 'bad',
  revoked: 'bad',
  deactivating: 'warn',
  pending_recycle: 'warn',
  pending_completion: 'warn',
  unverified: 'warn',
  deleted: 'bad',
};

export function Status({
  api,
  accountId,
  facts,
  check,
  onChanged,
  onSelect,
}: {
  api: Client;
  accountId: string;
  facts: Loaded<Facts>;
  check: Loaded<Check>;
  onChanged: () => void;
  onSelect: (s: Selection) => void;
}) {
  const { t, lang } = useI18n();
  const [confirmLock, setConfirmLock] = useState(false);
  const c = check.data;
  const account = facts.data?.account;
  return (
    <section className="card" id="status" aria-labelledby="status-h">
      <h2 id="status-h">{t('statusHeading')}</h2>
      <ProblemView error={check.error ?? facts.error} />
      {!c ? (
        <Loading />
      ) : (
        <>
          <dl className="grid">
            <div>
              <dt className="muted">{t('accountStatus')}</dt>
              <dd>
                <span className={`badge ${STATUS_CLASS[c.status] ?? ''}`} data-testid="account-status">
                  {t(`status_${c.status}` as MessageKey)}
                </span>
                {account?.frozenReason ? (
                  <span className="muted small"> ({account.frozenReason})</span>
                ) : null}
              </dd>
            </div>
            <div>
              <dt className="muted">{t('realnameStatus')}</dt>
              <dd>
                <span
                  className={`badge ${STATUS_CLASS[c.realname.status] ?? ''}`}
                  data-testid="realname-status"
                >
                  {t(`rn_${c.realname.status}` as MessageKey)}
                </span>
                {c.realname.nameMasked ? (
                  <span>
                    {' '}
                    {c.realname.nameMasked} · {c.realname.documentMasked}
                  </span>
                ) : null}
              </dd>
            </div>
            <div>
              <dt className="muted">{t('lastChecked')}</dt>
              <dd>{dateTime(c.checkedAt, lang)}</dd>
            </div>
          </dl>
          {(c.status === 'frozen' || c.status === 'banned') && (
            <p className="notice">
              {t('frozenHint')}{' '}
              <button type="button" className="secondary" onClick={() => onSelect({ kind: 'appeal.submit' })}>
                {t('submitAppeal')}
              </button>
            </p>
          )}
          <h3>{t('anomalies')}</h3>
          {c.anomalies.length === 0 ? (
            <p className="ok badge">{t('noAnomalies')}</p>
          ) : (
            <ul>
              {c.anomalies.map((a, i) => (
                <li key={i}>
                  {t(a.kind === 'abnormal_login' ? 'anomalyAbnormalLogin' : 'anomalyNewDevice', {
                    device: a.deviceId,
                    at: dateTime(a.at, lang),
                  })}
                </li>
              ))}
            </ul>
          )}
          <h3>{t('lockHeading')}</h3>
          <p className="muted">{t('lockHint')}</p>
          {c.canLock ? (
            confirmLock ? (
              <div className="row" role="group" aria-label={t('lockHeading')}>
                <span>{t('lockConfirm')}</span>
                <ActionButton
                  className="danger"
                  testId="lock-confirm"
                  onAction={async () => {
                    await ok(api.POST('/v1/accounts/{accountId}/lock', { params: { path: { accountId } } }));
                    setConfirmLock(false);
                    onChanged();
                  }}
                >
                  {t('lockYes')}
                </ActionButton>
                <button type="button" className="secondary" onClick={() => setConfirmLock(false)}>
                  {t('cancel')}
                </button>
              </div>
            ) : (
              <button
                type="button"
                className="danger"
                onClick={() => setConfirmLock(true)}
                data-testid="lock"
              >
                {t('lockButton')}
              </button>
            )
          ) : (
            <p className="muted">{t('lockUnavailable')}</p>
          )}
        </>
      )}
    </section>
  );
}
