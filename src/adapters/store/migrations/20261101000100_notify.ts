/**
 * Third-party notification (R-NOTIFY-*): registered apps and their receivers, signing keys, grant
 * tokens for introspection, dead letters of the outbox and relay cursors. (Filled in by issue 5.)
 */
import type { Kysely } from 'kysely';

export async function up(_db: Kysely<unknown>): Promise<void> {}

export async function down(_db: Kysely<unknown>): Promise<void> {}
