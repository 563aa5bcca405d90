/**
 * Money received per account, for the daily receive limit after a revocation (R-REV-5). (Filled in
 * by issue 5.)
 */
import type { Kysely } from 'kysely';

export async function up(_db: Kysely<unknown>): Promise<void> {}

export async function down(_db: Kysely<unknown>): Promise<void> {}
