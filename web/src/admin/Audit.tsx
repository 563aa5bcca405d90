/** An account's audit trail (append-only, hash-chained, no raw PII) and the verification of the whole chain. */
import { useState } from 'react';
import { ok, type Client, type Ok } from '../shared/api';
import { dateTime } from '../shared/format';
import { useI18n } from '../shared/i18n';
import { ActionButton, ProblemView } from '../shared/ui';

type Entry = Ok<'/v1/audit', 'get'>[number];
type Verification = Ok<'/v1/audit/verify', 'get'>;

export function Audit({ api, initialAccount }: { api: Client; initialAccount: string }) {
  const { t, lang } = useI18n();
  const [accountId, setAccountId] = useState(initialAccount);
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [verification, setVerification] = useState<Verification | null>(null);
  const load = async () => {
    setError(null);
    try {
      setEntries(
        await ok(
          api.GET('/v1/audit', { params: { query: { limit: 1000, ...(accountId ? { accountId } : {}) } } }),
        ),
      );
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section className="card" aria-labelledby="audit-h">
      <h2 id="audit-h">{t('auditHeading')}</h2>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <label className="inline">
          <span>{t('account')}</span>
          <input
            value={accountId}
            onChange={(e) => setAccountId(e.target.value)}
            data-testid="audit-account"
          />
        </label>
        <button type="submit" data-testid="audit-load">
          {t('showTrail')}
        </button>
        <ActionButton
          className="secondary"
          testId="audit-verify"
          onAction={async () => setVerification(await ok(api.GET('/v1/audit/verify')))}
        >
          {t('verifyChain')}
        </ActionButton>
      </form>
      {verification && (
        <p role="status" className={`badge ${verification.ok ? 'ok' : 'bad'}`} data-testid="chain">
          {verification.ok
            ? t('chainOk', { count: verification.count })
            : t('chainBroken', { seq: verification.firstBadSeq ?? '?', reason: verification.reason ?? '' })}
        </p>
      )}
      <ProblemView error={error} />
      {entries && (
        <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="audit-h">
          <table data-testid="audit">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('time')}</th>
                <th scope="col">{t('actor')}</th>
                <th scope="col">{t('action')}</th>
                <th scope="col">{t('details')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.seq}>
                  <td>{e.seq}</td>
                  <td>{dateTime(e.at, lang)}</td>
                  <td>{e.actor}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    <code className="small">{JSON.stringify(e.data)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {entries.length === 0 && <p className="muted">{t('none')}</p>}
        </div>
      )}
    </section>
  );
}
