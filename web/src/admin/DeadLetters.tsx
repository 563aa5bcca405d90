/** Security events the relay gave up on (R-NOTIFY-1), with a retry once the cause is fixed (admins). */
import { useState } from 'react';
import { ok, type Client } from '../shared/api';
import { dateTime } from '../shared/format';
import { useI18n } from '../shared/i18n';
import { ActionButton, Loading, ProblemView, useLoad } from '../shared/ui';

export function DeadLetters({ api, admin }: { api: Client; admin: boolean }) {
  const { t, lang } = useI18n();
  const [retried, setRetried] = useState<Set<number>>(new Set());
  const list = useLoad(
    async () =>
      admin ? ok(api.GET('/v1/admin/outbox/dead-letters', { params: { query: { limit: 100 } } })) : null,
    [admin],
  );
  return (
    <section className="card" aria-labelledby="dead-h">
      <h2 id="dead-h">{t('deadHeading')}</h2>
      <p className="muted">{t('deadHint')}</p>
      {!admin ? (
        <p className="notice">{t('needsAdmin')}</p>
      ) : (
        <>
          <ProblemView error={list.error} />
          {!list.data ? (
            <Loading />
          ) : list.data.items.length === 0 ? (
            <p className="ok badge">{t('noDeadLetters')}</p>
          ) : (
            <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="dead-h">
              <table data-testid="dead-letters">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">{t('app')}</th>
                    <th scope="col">{t('event')}</th>
                    <th scope="col">{t('account')}</th>
                    <th scope="col">{t('attempts')}</th>
                    <th scope="col">{t('lastError')}</th>
                    <th scope="col">{t('deadAt')}</th>
                    <th scope="col">
                      <span className="muted">{t('retry')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.items.map((d) => (
                    <tr key={d.id}>
                      <td>{d.id}</td>
                      <td>{d.appId ?? '—'}</td>
                      <td>
                        <code className="small">{d.event ?? d.topic}</code>
                      </td>
                      <td>{d.accountId ?? '—'}</td>
                      <td>{d.attempts}</td>
                      <td className="small">{d.lastError ?? '—'}</td>
                      <td>{dateTime(d.deadAt, lang)}</td>
                      <td>
                        {retried.has(d.id) ? (
                          <span className="badge ok" role="status">
                            {t('queuedAgain')}
                          </span>
                        ) : (
                          <ActionButton
                            testId={`retry-${d.id}`}
                            onAction={async () => {
                              await ok(
                                api.POST('/v1/admin/outbox/{id}/retry', { params: { path: { id: d.id } } }),
                              );
                              setRetried((s) => new Set([...s, d.id]));
                            }}
                          >
                            {t('retry')}
                          </ActionButton>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
