/**
 * Collecting one piece of evidence the preflight asks for, the way `GET /v1/evidence-kinds` says it
 * is provided: a one-time code (sent, shown in the development inbox when the dev verifier is on,
 * typed back and verified; a face or guardian verification goes through the dev verifier the same
 * way), a file uploaded, or a statement typed and uploaded as text.
 */
import { useState } from 'react';
import { ApiError, ok, toBase64, type Body, type Client, type Ok, type Preflight } from '../shared/api';
import { dateTime } from '../shared/format';
import { useI18n } from '../shared/i18n';
import { ActionButton, useLoad } from '../shared/ui';
import type { OpKind } from './selection';

type Card = Ok<'/v1/accounts/{accountId}', 'get'>['cards'][number];
type KindInfo = Ok<'/v1/evidence-kinds', 'get'>[number];
type Requirement = Preflight['requiredEvidence'][number];
type VerificationBody = Body<'/v1/accounts/{accountId}/verifications', 'post'>;
/** The new subject of a change: its bank check is made in that name. */
export type NewDocument = NonNullable<
  Body<'/v1/accounts/{accountId}/operations/realname-change', 'post'>['newDocument']
>;
type Challenge = Ok<'/v1/accounts/{accountId}/verifications', 'post', 201>;

export interface EvidenceContext {
  api: Client;
  accountId: string;
  kind: OpKind;
  cardId: string | undefined;
  cards: Card[];
  minor: boolean;
  newDocument: NewDocument;
}

export function EvidenceSlot({
  ctx,
  requirement,
  info,
  index,
  onRef,
}: {
  ctx: EvidenceContext;
  requirement: Requirement;
  info: KindInfo;
  index: number;
  onRef: (ref: string | null) => void;
}) {
  const { t, pick } = useI18n();
  const label = `${pick(requirement.label)}${requirement.min > 1 ? ` (${index + 1}/${requirement.min})` : ''}`;
  return (
    <div data-testid={`evidence-${requirement.kind}-${index}`}>
      <p>
        <strong>{label}</strong> <span className="muted small">{requirement.rule}</span>
      </p>
      {info.provide === 'code' ? (
        <CodeSlot ctx={ctx} kind={requirement.kind} index={index} label={label} onRef={onRef} />
      ) : (
        <UploadSlot ctx={ctx} info={info} label={label} onRef={onRef} />
      )}
      {info.channel === 'guardian' && <p className="muted small">{t('guardianDevNote')}</p>}
    </div>
  );
}

type Destination = 'bound' | 'guardian' | 'bank' | `card:${string}`;

/** The verification request for a code kind, or null while a form it needs is incomplete. */
function bodyFor(
  ctx: EvidenceContext,
  kind: Requirement['kind'],
  destination: Destination,
  bank: { cardNumber: string; reservedPhone: string; holderName: string; documentNumber: string },
): VerificationBody | null {
  const purpose = ctx.kind as VerificationBody['purpose'];
  switch (kind) {
    case 'reserved_phone_code':
      return ctx.cardId ? { purpose: 'card.unbind', cardId: ctx.cardId } : null;
    case 'phone_code':
      return { purpose: 'realname.change' };
    case 'guardian_face':
      return {
        purpose,
        guardian: true,
        ...(ctx.kind === 'card.unbind' && ctx.cardId ? { cardId: ctx.cardId } : {}),
      };
    case 'bank_reserved_info':
      return bank.cardNumber && bank.reservedPhone && ctx.newDocument.number && ctx.newDocument.name
        ? {
            purpose: 'realname.change',
            bankCheck: {
              cardNumber: bank.cardNumber,
              holderName: ctx.newDocument.name,
              documentType: ctx.newDocument.type,
              documentNumber: ctx.newDocument.number,
              reservedPhone: bank.reservedPhone,
            },
          }
        : null;
    case 'aux_verification':
      if (destination === 'bound') return { purpose: 'appeal.submit' };
      if (destination === 'guardian') return { purpose: 'appeal.submit', guardian: true };
      if (destination === 'bank')
        return bank.cardNumber && bank.reservedPhone && bank.holderName && bank.documentNumber
          ? {
              purpose: 'appeal.submit',
              bankCheck: {
                cardNumber: bank.cardNumber,
                holderName: bank.holderName,
                documentType: 'cn_id',
                documentNumber: bank.documentNumber,
                reservedPhone: bank.reservedPhone,
              },
            }
          : null;
      return { purpose: 'appeal.submit', cardId: destination.slice('card:'.length) };
    default:
      return { purpose };
  }
}

function CodeSlot({
  ctx,
  kind,
  index,
  label,
  onRef,
}: {
  ctx: EvidenceContext;
  kind: Requirement['kind'];
  index: number;
  label: string;
  onRef: (ref: string | null) => void;
}) {
  const { t, lang } = useI18n();
  const { api, accountId } = ctx;
  // An appeal's three verifications come from three destinations (R-ABN-2): offer them in turn.
  const destinations: Destination[] =
    kind === 'aux_verification'
      ? [
          'bound',
          ...ctx.cards.map((c) => `card:${c.id}` as const),
          ...(ctx.minor ? ['guardian' as const] : []),
          'bank',
        ]
      : ['bound'];
  const [destination, setDestination] = useState<Destination>(
    destinations[index % destinations.length] ?? 'bound',
  );
  const [bank, setBank] = useState({ cardNumber: '', reservedPhone: '', holderName: '', documentNumber: '' });
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [code, setCode] = useState('');
  const [verified, setVerified] = useState(false);
  const needsBank = kind === 'bank_reserved_info' || (kind === 'aux_verification' && destination === 'bank');
  const body = bodyFor(ctx, kind, destination, bank);
  const id = `${kind}-${index}`;
  const destinationLabel = (d: Destination): string => {
    if (d === 'bound') return t('destBound');
    if (d === 'guardian') return t('destGuardian');
    if (d === 'bank') return t('destBank');
    const card = ctx.cards.find((c) => `card:${c.id}` === d);
    return t('destCard', { card: card ? `${card.bank} ·${card.last4}` : d });
  };
  if (verified)
    return (
      <p className="ok badge" data-testid="verified">
        {t('verified')}
      </p>
    );
  return (
    <div>
      {kind === 'aux_verification' && (
        <label>
          {t('destination')}
          <select
            value={destination}
            onChange={(e) => {
              setDestination(e.target.value as Destination);
              setChallenge(null);
            }}
          >
            {destinations.map((d) => (
              <option key={d} value={d}>
                {destinationLabel(d)}
              </option>
            ))}
          </select>
        </label>
      )}
      {needsBank && (
        <fieldset>
          <legend>{t('bankCheck')}</legend>
          <label>
            {t('cardNumber')}
            <input
              inputMode="numeric"
              autoComplete="off"
              value={bank.cardNumber}
              onChange={(e) => setBank({ ...bank, cardNumber: e.target.value })}
            />
          </label>
          <label>
            {t('reservedPhone')}
            <input
              inputMode="tel"
              value={bank.reservedPhone}
              onChange={(e) => setBank({ ...bank, reservedPhone: e.target.value })}
            />
          </label>
          {kind === 'aux_verification' && (
            <>
              <label>
                {t('holderName')}
                <input
                  value={bank.holderName}
                  onChange={(e) => setBank({ ...bank, holderName: e.target.value })}
                />
              </label>
              <label>
                {t('ownDocumentNumber')}
                <input
                  autoComplete="off"
                  value={bank.documentNumber}
                  onChange={(e) => setBank({ ...bank, documentNumber: e.target.value })}
                />
              </label>
            </>
          )}
        </fieldset>
      )}
      <ActionButton
        className="secondary"
        testId="send-code"
        disabled={body === null}
        onAction={async () => {
          if (!body) return;
          setChallenge(
            await ok(
              api.POST('/v1/accounts/{accountId}/verifications', { params: { path: { accountId } }, body }),
            ),
          );
        }}
      >
        {challenge ? t('resendCode') : t('sendCode')}
      </ActionButton>
      {challenge && (
        <>
          <p role="status">
            {t('codeSent', { to: challenge.destinationMasked, until: dateTime(challenge.expiresAt, lang) })}
          </p>
          <DevInbox api={api} accountId={accountId} challengeId={challenge.challengeId} />
          <label htmlFor={id}>{t('enterCode', { what: label })}</label>
          <div className="row">
            <input
              id={id}
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="\d{6}"
              maxLength={6}
              value={code}
              data-testid="code-input"
              onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
            />
            <ActionButton
              testId="verify-code"
              disabled={code.length !== 6}
              onAction={async () => {
                await ok(
                  api.POST('/v1/accounts/{accountId}/verifications/{challengeId}/verify', {
                    params: { path: { accountId, challengeId: challenge.challengeId } },
                    body: { code },
                  }),
                );
                setVerified(true);
                onRef(challenge.challengeId);
              }}
            >
              {t('verify')}
            </ActionButton>
          </div>
        </>
      )}
    </div>
  );
}

/**
 * Development only: the code the development verifier logged for this challenge (no SMS gateway is
 * configured, so codes reach nobody's phone). Hidden when the service is not in development mode.
 */
function DevInbox({ api, accountId, challengeId }: { api: Client; accountId: string; challengeId: string }) {
  const { t, pick } = useI18n();
  const inbox = useLoad(
    () => ok(api.GET('/v1/dev/sms/{accountId}', { params: { path: { accountId } } })),
    [accountId, challengeId],
  );
  if (inbox.error instanceof ApiError || !inbox.data) return null;
  const message = inbox.data.messages.find((m) => m.challengeId === challengeId);
  if (!message) return null;
  return (
    <aside className="notice small" aria-label={t('devInbox')} data-testid="dev-inbox">
      <p>
        <strong>{t('devInbox')}</strong> — {t('devInboxHint')}
      </p>
      <p>
        {pick(message.text)} ({message.to}) <code data-testid="dev-code">{message.code}</code>
      </p>
    </aside>
  );
}

function UploadSlot({
  ctx,
  info,
  label,
  onRef,
}: {
  ctx: EvidenceContext;
  info: KindInfo;
  label: string;
  onRef: (ref: string | null) => void;
}) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [uploaded, setUploaded] = useState<{ id: string; size: number } | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const upload = async (contentType: string, bytes: Uint8Array, name?: string) => {
    const meta = await ok(
      ctx.api.POST('/v1/accounts/{accountId}/evidence', {
        params: { path: { accountId: ctx.accountId } },
        body: {
          kind: info.kind,
          contentType,
          ...(name ? { name } : {}),
          data: toBase64(bytes),
        },
      }),
    );
    setUploaded({ id: meta.id, size: meta.size });
    onRef(meta.id);
  };
  if (uploaded)
    return (
      <p className="ok badge" data-testid="uploaded">
        {t('uploaded', { size: uploaded.size })}
      </p>
    );
  const id = `upload-${info.kind}`;
  if (info.provide === 'text')
    return (
      <div>
        <label htmlFor={id}>{label}</label>
        <textarea id={id} value={text} onChange={(e) => setText(e.target.value)} data-testid="statement" />
        <ActionButton
          className="secondary"
          disabled={text.trim().length === 0}
          onAction={() => upload('text/plain', new TextEncoder().encode(text))}
        >
          {t('saveStatement')}
        </ActionButton>
      </div>
    );
  return (
    <div>
      <label htmlFor={id}>{t('chooseFile', { types: info.contentTypes.join(', ') })}</label>
      <input
        id={id}
        type="file"
        accept={info.contentTypes.join(',')}
        data-testid="file"
        onChange={(e) => setFile(e.target.files?.[0] ?? null)}
      />
      <ActionButton
        className="secondary"
        disabled={file === null}
        onAction={async () => {
          if (!file) return;
          await upload(file.type, new Uint8Array(await file.arrayBuffer()), file.name);
        }}
      >
        {t('uploadFile')}
      </ActionButton>
    </div>
  );
}
