import type Database from 'better-sqlite3';
import type { DbOrTx } from '../../../db/client.ts';

/**
 * Prepared statements for the hot paths (thread list, thread page, posting, search): each SQL text
 * is compiled once per connection and reused. Statements run on the same connection as drizzle,
 * so inside ctx.db.transaction(...) they are part of the transaction.
 */
const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** Named parameters (@name in the SQL). */
type Params = object;

function clientOf(db: DbOrTx): Database.Database {
  // A drizzle transaction handle has no $client, but its session holds the same connection.
  return (
    (db as unknown as { $client?: Database.Database }).$client ??
    (db as unknown as { session: { client: Database.Database } }).session.client
  );
}

export function statement(db: DbOrTx, text: string): Database.Statement {
  const client = clientOf(db);
  let statements = cache.get(client);
  if (!statements) {
    statements = new Map();
    cache.set(client, statements);
  }
  let prepared = statements.get(text);
  if (!prepared) {
    prepared = client.prepare(text);
    statements.set(text, prepared);
  }
  return prepared;
}

export function all<T>(db: DbOrTx, text: string, params: Params = {}): T[] {
  return statement(db, text).all(params) as T[];
}

export function get<T>(db: DbOrTx, text: string, params: Params = {}): T | undefined {
  return statement(db, text).get(params) as T | undefined;
}

export function run(db: DbOrTx, text: string, params: Params = {}): Database.RunResult {
  return statement(db, text).run(params);
}

/** A list of ids for `IN (SELECT value FROM json_each(@ids))`: one statement for any length. */
export const idList = (ids: readonly number[]) => JSON.stringify(ids);
