import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface UsersTable {
  readonly id: Generated<string>;
  email: string;
  readonly created_at: Generated<Date>;
}

export interface ApiTokensTable {
  readonly id: Generated<string>;
  readonly user_id: string;
  /** Hex SHA-256 of the token; the token itself is never stored. */
  readonly token_hash: string;
  readonly created_at: Generated<Date>;
  expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  last_used_at: ColumnType<Date | null, never, Date | null>;
  revoked_at: ColumnType<Date | null, never, Date | null>;
}

export interface RunnersTable {
  readonly id: Generated<string>;
  readonly user_id: string;
  name: string;
  status: Generated<'active' | 'disabled'>;
  endpoint: string;
  /** Written as JSON text: the pg driver would turn a JS array into a Postgres array literal. */
  headers: ColumnType<Record<string, string>, string | undefined, string>;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  readonly created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface Database {
  users: UsersTable;
  api_tokens: ApiTokensTable;
  runners: RunnersTable;
}

export type UserRow = Selectable<UsersTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
export type NewApiToken = Insertable<ApiTokensTable>;
export type RunnerRow = Selectable<RunnersTable>;
export type NewRunner = Insertable<RunnersTable>;
export type RunnerUpdate = Updateable<RunnersTable>;
