/** The signed-in token of a page (kept for the browser tab's session) and the API client that sends it. */
import { useMemo, useRef, useState } from 'react';
import { makeClient, type Client } from './api';
import { useI18n } from './i18n';

export function useTokenClient(storageKey: string): {
  token: string | null;
  api: Client;
  signIn: (token: string) => void;
  signOut: () => void;
} {
  const { lang } = useI18n();
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(storageKey));
  // The client reads the current token and language at each request.
  const tokenRef = useRef(token);
  tokenRef.current = token;
  const langRef = useRef(lang);
  langRef.current = lang;
  const api = useMemo(
    () =>
      makeClient(
        () => tokenRef.current,
        () => langRef.current,
      ),
    [],
  );
  return {
    token,
    api,
    signIn(t) {
      sessionStorage.setItem(storageKey, t);
      setToken(t);
    },
    signOut() {
      sessionStorage.removeItem(storageKey);
      setToken(null);
    },
  };
}
