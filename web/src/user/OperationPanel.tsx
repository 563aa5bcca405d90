/**
 * One operation, as SPEC §3.1 asks: every blocker at once with its message and a control that
 * performs the fix (unbind that card, detach that enterprise, appeal, cancel the running operation)
 * or explains where it is done; then the warnings and consequences (R-UX-3); then the confirmation
 * with the evidence and step-up the preflight asks for (codes, files, a statement).
 */
import { useState, type ReactNode } from 'react';
import { ApiError, ok, type Blocker, type Body, type Client, type Ok, type Preflight } from '../shared/api';
import { date, dateTime } from '../shared/format';
import { kindLabel, useI18n } from '../shared/i18n';
import type { MessageKey } from '../shared/messages';
import { ActionButton, Loading, ProblemView, useLoad, type Loaded } from '../shared/ui';
import { EvidenceSlot, type EvidenceContext, type NewDocument } from './Evidence';
import { OP_SEGMENTS, type OpKind, type Selection } from './selection';

type Facts = Ok<'/v1/accounts/{accountId}', 'get'>;

// Every preflight and start route has the same shape: one of them types them all.
type PREFLIGHT = '/v1/accounts/{accountId}/operations/deletion/preflight';
type START = '/v1/accounts/{accountId}/operations/deletion';
type StartBody = Body<START, 'post'>;
type EvidenceKind = NonNullable<StartBody['evidence']>[number]['kind'];
type Claim = NonNullable<StartBody['claim']>;

export function OperationPanel({
  api,
  accountId,
  facts,
  deviceId,
  selection,
  version,
  onSelect,
  onChanged,
}: {
  api: Client;
  accountId: string;
  facts: Facts | undefined;
  deviceId: string | null;
  selection: Selection;
  version: number;
  onSelect: (s: Selection) => void;
  onChanged: () => void;
}) {
  const { t, lang } = useI18n();
  const { kind } = selection;
  const cards = facts?.cards ?? [];
  const links = (facts?.enterpriseLinks ?? []).filter((l) => l.active);
  const cardId = kind === 'card.unbind' ? (selection.cardId ?? cards[0]?.id) : undefined;
  const linkId = kind === 'enterprise.detach' ? (selection.linkId ?? links[0]?.id) : undefined;
  const missingTarget = (kind === 'card.unbind' && !cardId) || (kind === 'enterprise.detach' && !linkId);
  const [recheck, setRecheck] = useState(0);
  // How each evidence kind is provided: the same for every operation, so read once for the panel
  // (the confirmation below is remounted at each change of operation, card or link).
  const kinds = useLoad(() => ok(api.GET('/v1/evidence-kinds')), []);
  const preflight = useLoad(
    async () =>
      missingTarget
        ? null
        : ok(
            api.GET(`/v1/accounts/{accountId}/operations/${OP_SEGMENTS[kind]}/preflight` as PREFLIGHT, {
              params: {
                path: { accountId },
                query: {
                  ...(deviceId ? { deviceId } : {}),
                  ...(cardId ? { cardId } : {}),
                  ...(linkId ? { linkId } : {}),
                },
              },
            }),
          ),
    [accountId, kind, cardId, linkId, deviceId, version, recheck],
  );
  const p = preflight.data;
  return (
    <section className="card" id="operation" aria-labelledby="op-h">
      <h2 id="op-h">{t('operationHeading')}</h2>
      <div className="row">
        <label className="inline">
          <span>{t('chooseOperation')}</span>
          <select
            value={kind}
            data-testid="op-kind"
            onChange={(e) => onSelect({ kind: e.target.value as OpKind })}
          >
            {(Object.keys(OP_SEGMENTS) as OpKind[]).map((k) => (
              <option key={k} value={k}>
                {kindLabel(t, k)}
              </option>
            ))}
          </select>
        </label>
        {kind === 'card.unbind' && cards.length > 0 && (
          <label className="inline">
            <span>{t('chooseCard')}</span>
            <select
              value={cardId}
              data-testid="op-card"
              onChange={(e) => onSelect({ kind, cardId: e.target.value })}
            >
              {cards.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.bank} ·{c.last4} ({t(`card_${c.type}` as MessageKey)})
                </option>
              ))}
            </select>
          </label>
        )}
        {kind === 'enterprise.detach' && links.length > 0 && (
          <label className="inline">
            <span>{t('chooseLink')}</span>
            <select value={linkId} onChange={(e) => onSelect({ kind, linkId: e.target.value })}>
              {links.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.enterprise} ({l.kind})
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {missingTarget && <p className="muted">{kind === 'card.unbind' ? t('noCards') : t('noLinks')}</p>}
      <ProblemView error={preflight.error} />
      {p === undefined && !missingTarget ? <Loading /> : null}
      {p && (
        <div aria-busy={preflight.loading}>
          <p className={`badge ${p.allowed ? 'ok' : 'warn'}`} data-testid="preflight-summary" role="status">
            {p.allowed ? t('allowedSummary') : t('blockedSummary', { count: p.blockers.length })}
          </p>
          {p.blockers.length > 0 && (
            <>
              <h3>{t('blockersHeading')}</h3>
              <ol className="blockers" data-testid="blockers">
                {p.blockers.map((b, i) => (
                  <BlockerItem key={`${b.code}-${i}`} blocker={b} onSelect={onSelect} />
                ))}
              </ol>
              <button type="button" className="secondary" onClick={() => setRecheck((n) => n + 1)}>
                {t('checkAgain')}
              </button>
              {p.retryAfter !== null && (
                <p className="muted">{t('retryAfter', { at: dateTime(p.retryAfter, lang) })}</p>
              )}
            </>
          )}
          {p.warnings.length > 0 && (
            <>
              <h3>{t('warningsHeading')}</h3>
              <ul>
                {p.warnings.map((w, i) => (
                  <WarningItem key={`${w.code}-${i}`} warning={w} />
                ))}
              </ul>
            </>
          )}
          {p.consequences.length > 0 && <Consequences preflight={p} />}
          {p.allowed && (
            <Confirm
              key={`${kind}:${cardId ?? ''}:${linkId ?? ''}`}
              api={api}
              accountId={accountId}
              preflight={p}
              kinds={kinds}
              facts={facts}
              selection={{ kind, cardId, linkId }}
              deviceId={deviceId}
              onStarted={() => {
                onChanged();
                requestAnimationFrame(() => document.getElementById('operations')?.scrollIntoView());
              }}
            />
          )}
        </div>
      )}
    </section>
  );
}

function WarningItem({ warning }: { warning: Preflight['warnings'][number] }) {
  const { pick } = useI18n();
  return (
    <li>
      {pick(warning.message)}{' '}
      {warning.remediation ? <span className="muted">{pick(warning.remediation)}</span> : null}
    </li>
  );
}

function Consequences({ preflight }: { preflight: Preflight }) {
  const { t, pick } = useI18n();
  return (
    <>
      <h3>{t('consequencesHeading')}</h3>
      <ul data-testid="consequences">
        {preflight.consequences.map((c, i) => (
          <li key={`${c.code}-${i}`}>
            {pick(c.message)}{' '}
            <span className={`badge ${c.reversible ? 'ok' : 'bad'}`}>
              {c.reversible ? t('reversible') : t('irreversible')}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

/** Remediations this page performs itself: an operation of its own, or a place on this page. */
function BlockerItem({ blocker: b, onSelect }: { blocker: Blocker; onSelect: (s: Selection) => void }) {
  const { t, pick, lang } = useI18n();
  const param = (name: string) => {
    const v = b.params[name];
    return typeof v === 'string' ? v : undefined;
  };
  const go = (id: string) => () => document.getElementById(id)?.scrollIntoView({ block: 'start' });
  let action: ReactNode;
  switch (b.remediation.action) {
    case 'unbind_card':
      action = (
        <button type="button" onClick={() => onSelect({ kind: 'card.unbind', cardId: param('cardId') })}>
          {t('fixUnbindCard')}
        </button>
      );
      break;
    case 'detach_enterprise':
      action = (
        <button
          type="button"
          onClick={() => onSelect({ kind: 'enterprise.detach', linkId: param('linkId') })}
        >
          {t('fixDetach')}
        </button>
      );
      break;
    case 'submit_appeal':
      action = (
        <button type="button" onClick={() => onSelect({ kind: 'appeal.submit' })}>
          {t('submitAppeal')}
        </button>
      );
      break;
    case 'cancel_deletion':
    case 'view_operation':
    case 'view_appeal':
      action = (
        <button type="button" className="secondary" onClick={go('operations')}>
          {t('fixViewOperation')}
        </button>
      );
      break;
    case 'account_check':
      action = (
        <button type="button" className="secondary" onClick={go('status')}>
          {t('fixAccountCheck')}
        </button>
      );
      break;
    case 'use_other_route':
      action = (
        <button type="button" className="secondary" onClick={go('compare')}>
          {t('fixOtherRoute')}
        </button>
      );
      break;
    case 'retry_later': {
      const at = b.params.retryAt ?? b.params.until;
      action =
        typeof at === 'number' ? <p className="muted">{t('liftsAt', { at: dateTime(at, lang) })}</p> : null;
      break;
    }
    case 'none':
      action = null;
      break;
    default:
      // Done in the platform's app, outside this page: say where, and how to come back.
      action = (
        <details>
          <summary>{t('howToFix')}</summary>
          <p>{pick(b.remediation.message)}</p>
          <p className="muted small">
            {t('whereInApp')}: <code>{b.remediation.where.split('/').join(' › ')}</code>.{' '}
            {t('thenCheckAgain')}
          </p>
        </details>
      );
  }
  return (
    <li data-code={b.code} data-testid="blocker">
      <p>
        <strong>{pick(b.message)}</strong>
      </p>
      <p>{pick(b.remediation.message)}</p>
      <p className="muted small">
        {t('errorCode')}: <code>{b.code}</code> · {t('rule')}: {b.rule}
        {typeof b.params.expiresAt === 'number' ? ` · ${date(b.params.expiresAt, lang)}` : ''}
      </p>
      {action}
    </li>
  );
}

/** The preflight's evidence with what risk control asked for on top (a kind needed, at least `min` items). */
function withNeed(
  reqs: Preflight['requiredEvidence'],
  need: Preflight['requiredEvidence'][number] | null,
): Preflight['requiredEvidence'] {
  if (!need) return reqs;
  return reqs.some((r) => r.kind === need.kind)
    ? reqs.map((r) => (r.kind === need.kind ? { ...r, min: Math.max(r.min, need.min) } : r))
    : [...reqs, need];
}

const DOC_TYPES: readonly NewDocument['type'][] = ['cn_id', 'hk_mo_permit', 'tw_permit', 'passport'];

function Confirm({
  api,
  accountId,
  preflight,
  kinds,
  facts,
  selection,
  deviceId,
  onStarted,
}: {
  api: Client;
  accountId: string;
  preflight: Preflight;
  kinds: Loaded<Ok<'/v1/evidence-kinds', 'get'>>;
  facts: Facts | undefined;
  selection: Selection;
  deviceId: string | null;
  onStarted: () => void;
}) {
  const { t } = useI18n();
  const [refs, setRefs] = useState<Record<string, (string | null)[]>>({});
  const [ack, setAck] = useState(false);
  const [newDocument, setNewDocument] = useState<NewDocument>({ type: 'cn_id', number: '', name: '' });
  const [claim, setClaim] = useState<Claim>('other');
  const [started, setStarted] = useState<string | null>(null);
  // R-RISK-1: risk control may ask at the start for one more verification (a face video of the
  // holder) than the preflight did; it joins the list and the same start is made again with it.
  const [stepUpNeed, setStepUpNeed] = useState<Preflight['requiredEvidence'][number] | null>(null);
  const { kind } = selection;
  const required = withNeed(preflight.requiredEvidence, stepUpNeed);
  const provided = (k: string) => (refs[k] ?? []).filter((r): r is string => r !== null);
  const complete = required.every((r) => provided(r.kind).length >= r.min);
  const docReady =
    kind !== 'realname.change' || (newDocument.number.trim() !== '' && newDocument.name.trim() !== '');
  const ctx: EvidenceContext = {
    api,
    accountId,
    kind,
    cardId: selection.cardId,
    cards: facts?.cards ?? [],
    minor: facts?.account.minor ?? false,
    newDocument,
  };
  const step = preflight.stepUp;
  return (
    <div id="confirm">
      <h3>{t('confirmHeading')}</h3>
      {step && (
        <p className="notice" data-testid="step-up">
          {t(`stepUp_${step.method}` as MessageKey)}
          {step.guardianFace ? ` ${t('stepUpGuardian')}` : ''}{' '}
          <span className="muted small">({step.rule})</span>
        </p>
      )}
      {kind === 'realname.change' && (
        <fieldset>
          <legend>{t('newSubject')}</legend>
          <label>
            {t('documentType')}
            <select
              value={newDocument.type}
              onChange={(e) =>
                setNewDocument({ ...newDocument, type: e.target.value as NewDocument['type'] })
              }
            >
              {DOC_TYPES.map((d) => (
                <option key={d} value={d}>
                  {t(`doc_${d}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('documentNumber')}
            <input
              value={newDocument.number}
              autoComplete="off"
              onChange={(e) => setNewDocument({ ...newDocument, number: e.target.value })}
            />
          </label>
          <label>
            {t('holderName')}
            <input
              value={newDocument.name}
              onChange={(e) => setNewDocument({ ...newDocument, name: e.target.value })}
            />
          </label>
        </fieldset>
      )}
      {kind === 'appeal.submit' && (
        <label>
          {t('appealClaim')}
          <select value={claim} onChange={(e) => setClaim(e.target.value as Claim)}>
            <option value="other">{t('claimOther')}</option>
            <option value="account_stolen">{t('claimStolen')}</option>
          </select>
        </label>
      )}
      <ProblemView error={kinds.error} />
      {required.length > 0 && kinds.data && (
        <ul className="plain">
          {required.flatMap((r) =>
            Array.from({ length: r.min }, (_, i) => {
              const info = kinds.data?.find((k) => k.kind === r.kind);
              return info ? (
                <li key={`${r.kind}-${i}`} className="card">
                  <EvidenceSlot
                    ctx={ctx}
                    requirement={r}
                    info={info}
                    index={i}
                    onRef={(ref) =>
                      setRefs((all) => {
                        const list = [...(all[r.kind] ?? [])];
                        list[i] = ref;
                        return { ...all, [r.kind]: list };
                      })
                    }
                  />
                </li>
              ) : null;
            }),
          )}
        </ul>
      )}
      <label className="check">
        <input type="checkbox" checked={ack} onChange={(e) => setAck(e.target.checked)} data-testid="ack" />
        <span>{t('ackConsequences')}</span>
      </label>
      {!complete && <p className="muted">{t('evidenceMissing')}</p>}
      <ActionButton
        testId="start"
        className={kind === 'account.delete' || kind === 'realname.revoke' ? 'danger' : undefined}
        disabled={!ack || !complete || !docReady}
        onAction={async () => {
          const body: StartBody = {
            ...(deviceId ? { deviceId } : {}),
            ...(selection.cardId ? { cardId: selection.cardId } : {}),
            ...(selection.linkId ? { linkId: selection.linkId } : {}),
            ...(kind === 'realname.change' ? { newDocument } : {}),
            ...(kind === 'appeal.submit' ? { claim } : {}),
            evidence: required.flatMap((r) =>
              provided(r.kind).map((ref) => ({ kind: r.kind as EvidenceKind, ref })),
            ),
          };
          let op;
          try {
            op = await ok(
              api.POST(`/v1/accounts/{accountId}/operations/${OP_SEGMENTS[kind]}` as START, {
                params: { path: { accountId } },
                body,
              }),
            );
          } catch (e) {
            const stepUp =
              e instanceof ApiError
                ? e.problem.blockers?.find((b) => b.code === 'RISK_STEP_UP_REQUIRED')
                : undefined;
            const evidence = stepUp?.params.evidence;
            if (stepUp && typeof evidence === 'string')
              setStepUpNeed({
                kind: evidence,
                min: Number(stepUp.params.required ?? 1),
                rule: stepUp.rule,
                label: stepUp.message,
              });
            throw e;
          }
          setStarted(op.id);
          onStarted();
        }}
      >
        {t('startOperation', { operation: kindLabel(t, kind) })}
      </ActionButton>
      {started && (
        <p role="status" className="ok badge">
          {t('startedNotice', { id: started })}
        </p>
      )}
    </div>
  );
}
