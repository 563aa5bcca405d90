/**
 * Operations in progress, each with its timeline (and a revocation with its saga steps, R-REV-3):
 * the deletion's cooling-off as a live countdown with its cancel button (R-DEL-2/3), a review's
 * state, a rolled-back revocation's reason. The list is polled while something runs by itself.
 */
import { useEffect } from 'react';
import { ok, type Client, type Operation } from '../shared/api';
import { dateTime, remaining } from '../shared/format';
import { kindLabel, useI18n } from '../shared/i18n';
import { ActionButton, Loading, ProblemView, useLoad, useServerNow } from '../shared/ui';

/** States a user may cancel from (the flows of src/core/flows say which). */
const CANCELLABLE = new Set(['cooling_off', 'awaiting_code', 'in_review', 'in_review_2']);
/** States that move by themselves (a saga, a timer): poll while one is shown. */
const MOVING = new Set(['started', 'pending_recycle', 'committing', 'compensating']);

/** A reading of the service's clock (`serverAt`), taken at `readAt` on this browser's clock. */
export interface ServerClock {
  serverAt: number;
  readAt: number;
}

export function Operations({
  api,
  accountId,
  version,
  clock,
  onChanged,
}: {
  api: Client;
  accountId: string;
  version: number;
  clock: ServerClock | undefined;
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const list = useLoad(async () => {
    const ops = await ok(api.GET('/v1/accounts/{accountId}/operations', { params: { path: { accountId } } }));
    const recent = [...ops].sort((a, b) => b.createdAt - a.createdAt);
    const shown = [
      ...recent.filter((o) => o.outcome === null),
      ...recent.filter((o) => o.outcome !== null).slice(0, 3),
    ];
    return Promise.all(
      shown.map((o) =>
        ok(
          api.GET('/v1/accounts/{accountId}/operations/{operationId}', {
            params: { path: { accountId, operationId: o.id } },
          }),
        ),
      ),
    );
  }, [accountId, version]);
  const moving = list.data?.some((o) => o.outcome === null && MOVING.has(o.state)) ?? false;
  const { reload } = list;
  useEffect(() => {
    if (!moving) return;
    const timer = setInterval(reload, 2000);
    return () => clearInterval(timer);
  }, [moving, reload]);
  const running = list.data?.filter((o) => o.outcome === null) ?? [];
  const ended = list.data?.filter((o) => o.outcome !== null) ?? [];
  const card = (op: Operation) => (
    <OperationCard key={op.id} op={op} api={api} accountId={accountId} onChanged={onChanged} clock={clock} />
  );
  return (
    <section className="card" id="operations" aria-labelledby="ops-h">
      <h2 id="ops-h">{t('operationsHeading')}</h2>
      <ProblemView error={list.error} />
      {!list.data ? (
        <Loading />
      ) : (
        <>
          {running.length === 0 && <p className="muted">{t('noRunning')}</p>}
          {running.map(card)}
          {ended.length > 0 && (
            <details>
              <summary>{t('recentlyEnded', { count: ended.length })}</summary>
              {ended.map(card)}
            </details>
          )}
        </>
      )}
    </section>
  );
}

function OperationCard({
  op,
  api,
  accountId,
  onChanged,
  clock,
}: {
  op: Operation;
  api: Client;
  accountId: string;
  onChanged: () => void;
  clock: ServerClock | undefined;
}) {
  const { t, lang, pick } = useI18n();
  const running = op.outcome === null;
  return (
    <article
      className="card"
      aria-labelledby={`op-${op.id}`}
      data-testid={`op-${op.kind}`}
      data-state={op.state}
    >
      <h3 id={`op-${op.id}`}>
        {kindLabel(t, op.kind)}{' '}
        <span className={`badge ${running ? 'warn' : op.outcome === 'completed' ? 'ok' : ''}`}>
          {running ? t('stateRunning', { state: op.state }) : t('stateEnded', { outcome: op.outcome ?? '' })}
        </span>
      </h3>
      <p className="muted small">
        {t('startedAt', { at: dateTime(op.createdAt, lang) })} · <code>{op.id}</code>
      </p>
      {op.reason && (
        <p className="notice">
          {pick(op.reason.message)} {op.reason.remediation ? pick(op.reason.remediation) : null}
        </p>
      )}
      {running &&
        op.kind === 'account.delete' &&
        op.state === 'cooling_off' &&
        op.deadlineAt !== null &&
        clock && <Countdown until={op.deadlineAt} clock={clock} />}
      {op.saga && op.saga.length > 0 && (
        <div className="table-wrap" tabIndex={0} role="region" aria-label={t('sagaSteps')}>
          <table>
            <caption className="muted small">{t('sagaSteps')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('participant')}</th>
                <th scope="col">{t('phase')}</th>
                <th scope="col">{t('attempts')}</th>
              </tr>
            </thead>
            <tbody>
              {op.saga.map((s) => (
                <tr key={s.participant}>
                  <td>{s.participant}</td>
                  <td>{s.phase}</td>
                  <td>{s.attempts}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ol className="timeline" aria-label={t('timeline')}>
        {(op.timeline ?? []).map((e, i) => (
          <li key={i}>
            <span className="muted small">{dateTime(e.at, lang)}</span> — <strong>{e.state}</strong>{' '}
            <span className="small">
              ({e.event}, {e.actor})
            </span>
            {typeof e.data.reason === 'string' && e.data.reason.length > 0 ? (
              <span className="small"> — {e.data.reason}</span>
            ) : null}
          </li>
        ))}
      </ol>
      {running && CANCELLABLE.has(op.state) && (
        <ActionButton
          className="danger"
          testId={`cancel-${op.kind}`}
          onAction={async () => {
            await ok(
              api.POST('/v1/accounts/{accountId}/operations/{operationId}/cancel', {
                params: { path: { accountId, operationId: op.id } },
              }),
            );
            onChanged();
          }}
        >
          {op.kind === 'account.delete' ? t('cancelDeletion') : t('cancelOperation')}
        </ActionButton>
      )}
    </article>
  );
}

/** R-DEL-2: the cooling-off left, on the service's clock, ticking every second. */
function Countdown({ until, clock }: { until: number; clock: ServerClock }) {
  const { t, lang } = useI18n();
  const r = remaining(until, useServerNow(clock.serverAt, clock.readAt));
  return (
    <div className="notice" data-testid="countdown">
      <p>{t('coolingOffUntil', { at: dateTime(until, lang) })}</p>
      <p className="countdown">
        {t('countdown', {
          days: r.days,
          hours: String(r.hours).padStart(2, '0'),
          minutes: String(r.minutes).padStart(2, '0'),
          seconds: String(r.seconds).padStart(2, '0'),
        })}
      </p>
      <p className="small muted">{t('coolingOffHint')}</p>
    </div>
  );
}
