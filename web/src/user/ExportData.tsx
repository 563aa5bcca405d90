/** R-EXP-1: download everything the service holds about the account, masked, as JSON. */
import { useState } from 'react';
import { download, fetchBlob } from '../shared/api';
import { useI18n } from '../shared/i18n';
import { ActionButton } from '../shared/ui';

export function ExportData({ token, accountId }: { token: string; accountId: string }) {
  const { t, lang } = useI18n();
  const [done, setDone] = useState<number | null>(null);
  return (
    <section className="card" id="export" aria-labelledby="export-h">
      <h2 id="export-h">{t('exportHeading')}</h2>
      <p className="muted">{t('exportHint')}</p>
      <ActionButton
        testId="export"
        onAction={async () => {
          const blob = await fetchBlob(`/v1/accounts/${encodeURIComponent(accountId)}/export`, token, lang);
          download(blob, `realname-export-${accountId}.json`);
          setDone(blob.size);
        }}
      >
        {t('exportButton')}
      </ActionButton>
      {done !== null && (
        <p role="status" className="ok badge">
          {t('exportDone', { size: done })}
        </p>
      )}
    </section>
  );
}
