import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../../app/deps.js';
import { principalOf } from '../auth.js';

/** The audit actor of a request: 'user:<accountId>' for an end-user token, '<kind>:<keyId>' otherwise. */
export function actorOf(request: FastifyRequest): Actor {
  const p = principalOf(request);
  return { id: p.accountId ? `user:${p.accountId}` : `${p.kind}:${p.keyId}` };
}
