import type { Migration } from 'kysely/migration';
import * as initial from './0001-initial';
import * as selectionIndexes from './0002-selection-indexes';
import * as runnerEvents from './0003-runner-events';
import * as leanerAuditWrites from './0004-leaner-audit-writes';

/** Every migration, in order. Listed statically so no file-system scan depends on how the code runs. */
export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  '0001-initial': initial,
  '0002-selection-indexes': selectionIndexes,
  '0003-runner-events': runnerEvents,
  '0004-leaner-audit-writes': leanerAuditWrites,
});
