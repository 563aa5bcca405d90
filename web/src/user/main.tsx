import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../shared/styles.css';
import { I18nProvider } from '../shared/i18n';
import { App } from './App';

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <I18nProvider title="userTitle">
      <App />
    </I18nProvider>
  </StrictMode>,
);
