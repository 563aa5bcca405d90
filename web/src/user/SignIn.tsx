/** Sign in: in demo mode a picker of the demo accounts; otherwise an end-user token pasted in. */
import { ApiError, ok, type Client } from '../shared/api';
import { useI18n } from '../shared/i18n';
import { ActionButton, Loading, TokenForm, useLoad } from '../shared/ui';

export function SignIn({ api, onToken }: { api: Client; onToken: (token: string) => void }) {
  const { t, pick } = useI18n();
  const demo = useLoad(() => ok(api.GET('/v1/demo/accounts')), []);
  const demoOff = demo.error instanceof ApiError && demo.error.status === 404;
  return (
    <>
      <h1>{t('signInHeading')}</h1>
      {demo.loading && !demo.data ? <Loading /> : null}
      {demo.data && (
        <section className="card" aria-labelledby="demo-heading">
          <h2 id="demo-heading">{t('demoAccounts')}</h2>
          <p className="muted">{t('demoAccountsHint')}</p>
          <ul className="plain">
            {demo.data.map((a) => (
              <li key={a.id} className="row" style={{ marginBottom: '0.5rem' }}>
                <ActionButton
                  testId={`demo-${a.id}`}
                  onAction={async () =>
                    onToken((await ok(api.POST('/v1/demo/sessions', { body: { accountId: a.id } }))).token)
                  }
                >
                  {t('signInAs', { id: a.id })}
                </ActionButton>
                <span>
                  {pick(a.title)} <span className="muted small">({a.region})</span>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="card" aria-labelledby="token-heading">
        <h2 id="token-heading">{t('tokenHeading')}</h2>
        {demoOff && <p className="muted">{t('noDemoHint')}</p>}
        <TokenForm label="userToken" onToken={onToken} />
      </section>
    </>
  );
}
