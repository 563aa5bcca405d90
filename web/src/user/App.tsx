/**
 * The self-service page (SPEC §1 end users): sign in (a demo account in demo mode, or an end-user
 * token), then the account's real-name status and check (R-CHK-1), operations in progress with their
 * timeline and the cooling-off countdown, the three routes side by side (R-CMP-1), an operation with
 * every blocker and its fix, its consequences and the confirmation with step-up (R-UX-1/3), what a
 * revocation changed and the way back (R-REV-5/7), and the data export (R-EXP-1).
 */
import { useCallback, useState } from 'react';
import { ApiError, ok, type Client } from '../shared/api';
import { useTokenClient } from '../shared/session';
import { useI18n } from '../shared/i18n';
import { Header, Loading, ProblemView, useLoad } from '../shared/ui';
import { Capabilities } from './Capabilities';
import { Compare } from './Compare';
import { ExportData } from './ExportData';
import { OperationPanel } from './OperationPanel';
import { Operations } from './Operations';
import type { Selection } from './selection';
import { SignIn } from './SignIn';
import { Status } from './Status';

export function App() {
  const { token, api, signIn, signOut } = useTokenClient('rn.user.token');
  return (
    <>
      <Header title="userTitle" onSignOut={token ? signOut : undefined} />
      <main id="main">
        {token ? (
          <Session api={api} token={token} onSignOut={signOut} />
        ) : (
          <SignIn api={api} onToken={signIn} />
        )}
      </main>
    </>
  );
}

function Session({ api, token, onSignOut }: { api: Client; token: string; onSignOut: () => void }) {
  const { t } = useI18n();
  const session = useLoad(() => ok(api.GET('/v1/session')), [token]);
  if (session.error instanceof ApiError && session.error.status === 401) {
    return (
      <section className="card">
        <ProblemView error={session.error} />
        <button type="button" onClick={onSignOut}>
          {t('signInAgain')}
        </button>
      </section>
    );
  }
  if (session.error) return <ProblemView error={session.error} />;
  if (!session.data) return <Loading />;
  if (session.data.accountId === null)
    return (
      <section className="card">
        <p>{t('notAUserToken')}</p>
        <a className="button" href="/admin">
          {t('openConsole')}
        </a>
      </section>
    );
  return <AccountPage api={api} token={token} accountId={session.data.accountId} />;
}

function AccountPage({ api, token, accountId }: { api: Client; token: string; accountId: string }) {
  const { t } = useI18n();
  // One counter reloads every section after anything changed (a start, a cancel, a lock).
  const [version, setVersion] = useState(0);
  const refresh = useCallback(() => setVersion((v) => v + 1), []);
  const [selection, setSelection] = useState<Selection>({ kind: 'account.delete' });
  const select = useCallback((s: Selection) => {
    setSelection(s);
    requestAnimationFrame(() => document.getElementById('operation')?.scrollIntoView({ block: 'start' }));
  }, []);
  const facts = useLoad(
    () => ok(api.GET('/v1/accounts/{accountId}', { params: { path: { accountId } } })),
    [accountId, version],
  );
  // One account check serves the status section and the countdown: its checkedAt is a reading of
  // the service's clock (the dev clock may have moved it), taken at readAt on this browser's clock.
  const check = useLoad(
    async () => ({
      ...(await ok(api.GET('/v1/accounts/{accountId}/check', { params: { path: { accountId } } }))),
      readAt: Date.now(),
    }),
    [accountId, version],
  );
  const clock = check.data && { serverAt: check.data.checkedAt, readAt: check.data.readAt };
  const [deviceId, setDeviceId] = useState<string | null>(null);
  const primary = facts.data?.devices.find((d) => d.primary)?.id ?? null;
  const device = deviceId ?? primary;
  return (
    <>
      <h1>
        {t('accountHeading')} <code>{accountId}</code>
      </h1>
      <nav className="sections" aria-label={t('sections')}>
        <a href="#status">{t('statusHeading')}</a>
        <a href="#operations">{t('operationsHeading')}</a>
        <a href="#compare">{t('compareHeading')}</a>
        <a href="#operation">{t('operationHeading')}</a>
        <a href="#capabilities">{t('capabilitiesHeading')}</a>
        <a href="#export">{t('exportHeading')}</a>
      </nav>
      {facts.data && facts.data.devices.length > 0 && (
        <p className="row small">
          <label className="inline">
            <span>{t('actingFromDevice')}</span>
            <select value={device ?? ''} onChange={(e) => setDeviceId(e.target.value)}>
              {facts.data.devices.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.id} ({d.platform}
                  {d.osVersion ? ` ${d.osVersion}` : ''}){d.primary ? ` · ${t('primaryDevice')}` : ''}
                </option>
              ))}
            </select>
          </label>
        </p>
      )}
      <Status
        api={api}
        accountId={accountId}
        facts={facts}
        check={check}
        onChanged={refresh}
        onSelect={select}
      />
      <Operations api={api} accountId={accountId} version={version} clock={clock} onChanged={refresh} />
      <Compare api={api} accountId={accountId} deviceId={device} version={version} onSelect={select} />
      <OperationPanel
        api={api}
        accountId={accountId}
        facts={facts.data}
        deviceId={device}
        selection={selection}
        version={version}
        onSelect={select}
        onChanged={refresh}
      />
      <Capabilities api={api} accountId={accountId} version={version} />
      <ExportData token={token} accountId={accountId} />
    </>
  );
}
