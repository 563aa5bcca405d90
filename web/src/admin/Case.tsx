/**
 * A case: claimed, then read — the operation and its timeline, the account's masked facts, the new
 * subject of a change, the evidence (opened one by one: each view is an audit record), the risk
 * decision with its signals and weights — and decided through its state machine with a reason.
 */
import { useState } from 'react';
import { ApiError, fetchBlob, ok, type Client, type Ok } from '../shared/api';
import { dateTime, money } from '../shared/format';
import { kindLabel, useI18n } from '../shared/i18n';
import type { MessageKey } from '../shared/messages';
import { ActionButton, Loading, ProblemView, useLoad } from '../shared/ui';

export function CaseView({
  api,
  token,
  operationId,
  onClose,
  onAudit,
}: {
  api: Client;
  token: string;
  operationId: string;
  onClose: () => void;
  onAudit: (accountId: string) => void;
}) {
  const { t, lang } = useI18n();
  const [decided, setDecided] = useState<string | null>(null);
  // Claiming first: a case is decided by the reviewer who holds it (REVIEW_CLAIMED otherwise).
  const data = useLoad(async () => {
    let claimError: unknown = null;
    try {
      await ok(api.POST('/v1/reviews/{operationId}/claim', { params: { path: { operationId } } }));
    } catch (e) {
      if (!(e instanceof ApiError) || e.problem.code !== 'REVIEW_NOT_OPEN') claimError = e;
    }
    const c = await ok(api.GET('/v1/reviews/{operationId}', { params: { path: { operationId } } }));
    return { c, claimError };
  }, [operationId, decided]);
  const [decision, setDecision] = useState<string>('');
  const [reason, setReason] = useState('');
  if (data.error) return <ProblemView error={data.error} />;
  if (!data.data) return <Loading />;
  const { c, claimError } = data.data;
  const acc = c.account;
  return (
    <section className="card" aria-labelledby="case-h" data-testid="case">
      <div className="row">
        <button type="button" className="secondary" onClick={onClose}>
          {t('backToQueue')}
        </button>
        <button type="button" className="secondary" onClick={() => onAudit(c.review.accountId)}>
          {t('auditOfAccount')}
        </button>
      </div>
      <h2 id="case-h">
        {kindLabel(t, c.operation.kind)} — <code>{c.review.accountId}</code>
      </h2>
      {claimError ? <ProblemView error={claimError} /> : null}
      <p className="small">
        {t('claimedBy')}: {c.review.claimedBy ?? t('unclaimed')} · {t('due')}:{' '}
        {c.review.dueAt !== null ? dateTime(c.review.dueAt, lang) : '—'}{' '}
        {c.review.overdue ? (
          <span className="badge bad">{t('overdue', { days: Math.abs(c.review.workingDaysLeft ?? 0) })}</span>
        ) : null}
      </p>
      <div className="grid">
        <div>
          <h3>{t('accountFacts')}</h3>
          <ul className="plain small">
            <li>
              {t('accountStatus')}: <strong>{acc.account.status}</strong>
              {acc.account.frozenReason ? ` (${acc.account.frozenReason})` : ''}
            </li>
            <li>
              {t('region')}: {acc.account.region} · {acc.account.minor ? t('minor') : t('adult')}
            </li>
            <li>
              {t('phone')}: {acc.account.phoneMasked}
            </li>
            {acc.identity && (
              <li>
                {t('realnameStatus')}: {acc.identity.status} · {acc.identity.nameMasked} ·{' '}
                {acc.identity.documentMasked}
              </li>
            )}
            <li>
              {t('balance')}: {money(acc.wallet.balance, lang)}
            </li>
          </ul>
          {c.newSubject && (
            <>
              <h3>{t('newSubject')}</h3>
              <p className="small">
                {c.newSubject.nameMasked} · {c.newSubject.documentMasked} ({c.newSubject.documentType})
              </p>
            </>
          )}
        </div>
        <div>
          <h3>{t('timeline')}</h3>
          <ol className="timeline small">
            {(c.operation.timeline ?? []).map((e, i) => (
              <li key={i}>
                {dateTime(e.at, lang)} — <strong>{e.state}</strong> ({e.event}, {e.actor})
              </li>
            ))}
          </ol>
        </div>
      </div>
      <h3>{t('evidenceHeading')}</h3>
      <p className="muted small">{t('evidenceAudited')}</p>
      {c.evidence.length === 0 ? (
        <p className="muted">{t('none')}</p>
      ) : (
        <ul className="plain">
          {c.evidence.map((e) => (
            <li key={e.id} className="card">
              <EvidenceViewer
                token={token}
                href={e.href}
                kind={e.kind}
                contentType={e.contentType}
                size={e.size}
              />
            </li>
          ))}
        </ul>
      )}
      {c.verifications.length > 0 && (
        <p className="small">
          {t('verificationsCited')}: {c.verifications.map((v) => v.kind).join(', ')}
        </p>
      )}
      {c.risk && <RiskView risk={c.risk} />}
      <h3>{t('decisionHeading')}</h3>
      {decided ? (
        <p role="status" className="ok badge" data-testid="decided">
          {t('decidedNotice', { state: decided })}
        </p>
      ) : c.allowedDecisions.length === 0 ? (
        <p className="muted">{t('noDecision')}</p>
      ) : (
        <form onSubmit={(e) => e.preventDefault()}>
          <fieldset>
            <legend>{t('decision')}</legend>
            {c.allowedDecisions.map((d) => (
              <label key={d} className="check">
                <input
                  type="radio"
                  name="decision"
                  value={d}
                  checked={decision === d}
                  onChange={() => setDecision(d)}
                  data-testid={`decision-${d}`}
                />
                <span>{t(`decision_${d}` as MessageKey)}</span>
              </label>
            ))}
          </fieldset>
          <label>
            {t('reason')}
            <textarea
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              data-testid="reason"
              minLength={5}
            />
          </label>
          <p className="muted small">{t('reasonHint')}</p>
          <ActionButton
            testId="decide"
            disabled={!decision || reason.trim().length < 5}
            onAction={async () => {
              const op = await ok(
                api.POST('/v1/reviews/{operationId}/decision', {
                  params: { path: { operationId } },
                  body: { decision: decision as 'accept', reason: reason.trim() },
                }),
              );
              setDecided(op.state);
            }}
          >
            {t('submitDecision')}
          </ActionButton>
        </form>
      )}
    </section>
  );
}

function EvidenceViewer({
  token,
  href,
  kind,
  contentType,
  size,
}: {
  token: string;
  href: string;
  kind: string;
  contentType: string;
  size: number;
}) {
  const { t, lang } = useI18n();
  const [view, setView] = useState<{ url: string; text: string | null } | null>(null);
  return (
    <div data-testid="evidence-item">
      <p>
        <strong>{kind}</strong>{' '}
        <span className="muted small">
          ({contentType}, {size} B)
        </span>
      </p>
      {view ? (
        contentType.startsWith('image/') ? (
          <img className="evidence" src={view.url} alt={kind} />
        ) : contentType.startsWith('video/') ? (
          <video className="evidence" src={view.url} controls aria-label={kind} />
        ) : view.text !== null ? (
          <pre data-testid="evidence-text">{view.text}</pre>
        ) : (
          <a href={view.url} download={`${kind}.pdf`}>
            {t('download')}
          </a>
        )
      ) : (
        <ActionButton
          className="secondary"
          testId="view-evidence"
          onAction={async () => {
            const blob = await fetchBlob(href, token, lang);
            setView({
              url: URL.createObjectURL(blob),
              text: contentType.startsWith('text/') ? await blob.text() : null,
            });
          }}
        >
          {t('viewEvidence')}
        </ActionButton>
      )}
    </div>
  );
}

type Risk = NonNullable<Ok<'/v1/reviews/{operationId}', 'get'>['risk']>;

function RiskView({ risk }: { risk: Risk }) {
  const { t, lang } = useI18n();
  const fired = [...risk.signals].sort((a, b) => b.contribution - a.contribution);
  return (
    <div data-testid="risk">
      <h3>{t('riskHeading')}</h3>
      <p>
        {t('riskDecision')}: <strong>{risk.decision ?? '—'}</strong>
        {risk.because ? ` (${risk.because})` : ''} · {t('score')}: <strong>{risk.score ?? '—'}</strong>
      </p>
      <div className="table-wrap" tabIndex={0} role="region" aria-label={t('signals')}>
        <table>
          <caption className="muted small">{t('signals')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('signal')}</th>
              <th scope="col">{t('value')}</th>
              <th scope="col">{t('weight')}</th>
              <th scope="col">{t('contribution')}</th>
            </tr>
          </thead>
          <tbody>
            {fired.map((s) => (
              <tr key={s.id}>
                <td>{s.id}</td>
                <td>{s.id === 'large_inflows' ? money(s.value, lang) : s.value}</td>
                <td>{s.weight}</td>
                <td>{s.contribution > 0 ? <strong>{s.contribution}</strong> : 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {risk.detections.length > 0 && (
        <>
          <h3>{t('detections')}</h3>
          <ul>
            {risk.detections.map((d) => (
              <li key={d.detector}>
                <strong>{d.detector}</strong> ({d.rule}) <code>{JSON.stringify(d.evidence)}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      {risk.aml && (
        <>
          <h3>{t('amlHeading')}</h3>
          <p>
            {t('amlTotal', {
              total: money(risk.aml.total, lang),
              threshold: money(risk.aml.threshold, lang),
              days: risk.aml.windowDays,
            })}
          </p>
          <ul className="small">
            {risk.aml.inflows.map((f, i) => (
              <li key={i}>
                {dateTime(f.at, lang)}: {money(f.amount, lang)}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
