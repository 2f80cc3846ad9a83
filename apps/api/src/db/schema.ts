import type { ColumnType, Generated, Selectable } from 'kysely';
import type { HeaderEnvelope } from '../runners/header-cipher';

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
  /**
   * The encrypted envelope of the headers (runners/header-cipher.ts). Written as JSON text: the
   * pg driver would turn a JS array into a Postgres array literal.
   */
  headers: ColumnType<HeaderEnvelope, string | undefined, string>;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  readonly created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface RunnerEventsTable {
  readonly id: Generated<string>;
  readonly user_id: string;
  readonly runner_id: string;
  readonly actor_token_id: string | null;
  readonly action: 'create' | 'update' | 'delete';
  readonly changed_fields: ColumnType<string[], string[] | undefined, never>;
  readonly created_at: Generated<Date>;
}

export interface Database {
  users: UsersTable;
  api_tokens: ApiTokensTable;
  runners: RunnersTable;
  runner_events: RunnerEventsTable;
}

export type RunnerRow = Selectable<RunnersTable>;
export type RunnerEventRow = Selectable<RunnerEventsTable>;
