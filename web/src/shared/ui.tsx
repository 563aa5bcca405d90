/** Pieces both pages share: the header with the language and theme switches, problems, loading. */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError, type Blocker } from './api';
import { LANGS, useI18n, type Lang } from './i18n';
import type { MessageKey } from './messages';
import { useTheme } from './theme';

export function Header({
  title,
  onSignOut,
  children,
}: {
  title: MessageKey;
  onSignOut?: (() => void) | undefined;
  children?: ReactNode;
}) {
  const { t, lang, setLang } = useI18n();
  const [theme, setTheme] = useTheme();
  return (
    <header className="top">
      <a className="skip" href="#main">
        {t('skipToContent')}
      </a>
      <div className="top-row">
        <p className="brand">{t(title)}</p>
        <div className="top-controls">
          <label className="inline">
            <span>{t('language')}</span>
            <select value={lang} onChange={(e) => setLang(e.target.value as Lang)} data-testid="lang">
              {LANGS.map((l) => (
                <option key={l} value={l}>
                  {l === 'en' ? 'English' : '简体中文'}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="secondary"
            aria-pressed={theme === 'dark'}
            onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
            data-testid="theme"
          >
            {theme === 'dark' ? t('themeLight') : t('themeDark')}
          </button>
          {onSignOut && (
            <button type="button" className="secondary" onClick={onSignOut}>
              {t('signOut')}
            </button>
          )}
        </div>
      </div>
      {children}
    </header>
  );
}

/** A refused request: its message in the page's language, its code, and every blocker it carries. */
export function ProblemView({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  if (!(error instanceof ApiError))
    return (
      <div role="alert" className="problem">
        <p>{error instanceof Error ? error.message : JSON.stringify(error)}</p>
      </div>
    );
  const p = error.problem;
  return (
    <div role="alert" className="problem" data-code={p.code}>
      <p>
        <strong>{p.message}</strong>
      </p>
      <p className="muted small">
        {t('errorCode')}: <code>{p.code}</code>
        {p.requestId ? (
          <>
            {' · '}
            {t('requestId')}: <code>{p.requestId}</code>
          </>
        ) : null}
      </p>
      {p.errors && p.errors.length > 0 && (
        <ul>
          {p.errors.map((e, i) => (
            <li key={i}>
              <code>{e.path}</code> {e.message}
            </li>
          ))}
        </ul>
      )}
      {p.blockers && p.blockers.length > 0 && <BlockerTexts blockers={p.blockers} />}
    </div>
  );
}

function BlockerTexts({ blockers }: { blockers: Blocker[] }) {
  const { pick } = useI18n();
  return (
    <ul>
      {blockers.map((b, i) => (
        <li key={`${b.code}-${i}`} data-code={b.code}>
          {pick(b.message)} {pick(b.remediation.message)} <code className="small">{b.code}</code>
        </li>
      ))}
    </ul>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="muted" role="status">
      {t('loading')}
    </p>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Run `load` now and whenever `deps` change or `reload()` is called; keeps the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const id = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => id === latest.current && setState({ data, error: undefined, loading: false }),
      (error: unknown) => id === latest.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

/** A button that runs an async action, shows that it runs, and shows its problem if it fails. */
export function ActionButton({
  onAction,
  children,
  className,
  disabled,
  testId,
}: {
  onAction: () => Promise<unknown>;
  children: ReactNode;
  className?: string;
  disabled?: boolean;
  testId?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <button
        type="button"
        className={className}
        disabled={busy || disabled}
        aria-busy={busy}
        data-testid={testId}
        onClick={() => {
          setBusy(true);
          setError(null);
          onAction()
            .catch((e: unknown) => setError(e))
            .finally(() => setBusy(false));
        }}
      >
        {children}
      </button>
      {error ? <ProblemView error={error} /> : null}
    </>
  );
}

/** Sign in with a token or key pasted in (a password field: it is never shown back), trimmed. */
export function TokenForm({
  label,
  onToken,
  inputTestId,
  buttonTestId,
}: {
  label: MessageKey;
  onToken: (token: string) => void;
  inputTestId?: string;
  buttonTestId?: string;
}) {
  const { t } = useI18n();
  const [token, setToken] = useState('');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (token.trim()) onToken(token.trim());
      }}
    >
      <label>
        {t(label)}
        <input
          type="password"
          autoComplete="off"
          value={token}
          data-testid={inputTestId}
          onChange={(e) => setToken(e.target.value)}
        />
      </label>
      <button type="submit" data-testid={buttonTestId}>
        {t('signIn')}
      </button>
    </form>
  );
}

/** Ticks every second: the current instant on the server's clock, given one reading of it. */
export function useServerNow(serverAt: number, readAt: number): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, []);
  return serverAt + (Date.now() - readAt);
}
