/**
 * The review console (SPEC §1 reviewers and compliance staff): the queue by due date in Chinese
 * working days, a case with its evidence (each view audited), risk signals and a decision with a
 * reason; an account's audit trail with the chain verified; undelivered security events with a retry
 * (admins); and the dashboard of operations and refusal codes.
 */
import { useState } from 'react';
import { ApiError, ok, type Client } from '../shared/api';
import { useTokenClient } from '../shared/session';
import { useI18n } from '../shared/i18n';
import type { MessageKey } from '../shared/messages';
import { ActionButton, Header, Loading, ProblemView, TokenForm, useLoad } from '../shared/ui';
import { Audit } from './Audit';
import { CaseView } from './Case';
import { Dashboard } from './Dashboard';
import { DeadLetters } from './DeadLetters';
import { Queue } from './Queue';

type Tab = 'queue' | 'dashboard' | 'audit' | 'dead';
const TABS: { id: Tab; label: MessageKey }[] = [
  { id: 'queue', label: 'tabQueue' },
  { id: 'dashboard', label: 'tabDashboard' },
  { id: 'audit', label: 'tabAudit' },
  { id: 'dead', label: 'tabDeadLetters' },
];

export function App() {
  const { token, api, signIn, signOut } = useTokenClient('rn.console.token');
  return (
    <>
      <Header title="adminTitle" onSignOut={token ? signOut : undefined} />
      <main id="main">
        {token ? (
          <Console api={api} token={token} onSignOut={signOut} />
        ) : (
          <SignIn api={api} onToken={signIn} />
        )}
      </main>
    </>
  );
}

function SignIn({ api, onToken }: { api: Client; onToken: (t: string) => void }) {
  const { t } = useI18n();
  const demo = useLoad(() => ok(api.GET('/v1/demo/accounts')), []);
  return (
    <>
      <h1>{t('consoleSignIn')}</h1>
      <section className="card">
        <TokenForm label="apiKey" onToken={onToken} inputTestId="api-key" buttonTestId="sign-in" />
      </section>
      {demo.data && (
        <section className="card">
          <h2>{t('demoReviewers')}</h2>
          <p className="muted">{t('demoReviewersHint')}</p>
          <div className="row">
            {(['reviewer', 'reviewer2'] as const).map((r) => (
              <ActionButton
                key={r}
                className="secondary"
                testId={`demo-${r}`}
                onAction={async () =>
                  onToken((await ok(api.POST('/v1/demo/sessions', { body: { reviewer: r } }))).token)
                }
              >
                {t('signInAs', { id: r })}
              </ActionButton>
            ))}
          </div>
        </section>
      )}
    </>
  );
}

function Console({ api, token, onSignOut }: { api: Client; token: string; onSignOut: () => void }) {
  const { t } = useI18n();
  const session = useLoad(() => ok(api.GET('/v1/session')), [token]);
  const [tab, setTab] = useState<Tab>('queue');
  const [open, setOpen] = useState<string | null>(null);
  const [auditAccount, setAuditAccount] = useState('');
  if (session.error)
    return (
      <section className="card">
        <ProblemView error={session.error} />
        {session.error instanceof ApiError && session.error.status === 401 && (
          <button type="button" onClick={onSignOut}>
            {t('signInAgain')}
          </button>
        )}
      </section>
    );
  if (!session.data) return <Loading />;
  const s = session.data;
  if (s.kind !== 'reviewer' && s.kind !== 'admin')
    return (
      <section className="card">
        <p role="alert">{t('notReviewer')}</p>
        <button type="button" onClick={onSignOut}>
          {t('signOut')}
        </button>
      </section>
    );
  return (
    <>
      <h1>
        {t('consoleHeading')}{' '}
        <span className="badge ok">{t(s.kind === 'admin' ? 'roleAdmin' : 'roleReviewer')}</span>
      </h1>
      <nav className="tabs" aria-label={t('sections')}>
        {TABS.map((x) => (
          <button
            key={x.id}
            type="button"
            className="secondary"
            aria-current={tab === x.id ? 'page' : undefined}
            data-testid={`tab-${x.id}`}
            onClick={() => {
              setTab(x.id);
              setOpen(null);
            }}
          >
            {t(x.label)}
          </button>
        ))}
      </nav>
      <div style={{ marginTop: '1rem' }}>
        {tab === 'queue' &&
          (open ? (
            <CaseView
              api={api}
              token={token}
              operationId={open}
              onClose={() => setOpen(null)}
              onAudit={(accountId) => {
                setAuditAccount(accountId);
                setTab('audit');
                setOpen(null);
              }}
            />
          ) : (
            <Queue api={api} onOpen={setOpen} />
          ))}
        {tab === 'dashboard' && <Dashboard api={api} />}
        {tab === 'audit' && <Audit api={api} initialAccount={auditAccount} />}
        {tab === 'dead' && <DeadLetters api={api} admin={s.kind === 'admin'} />}
      </div>
    </>
  );
}
