import type { RunnerEvent } from '@runner-registry/contract';
import { useQuery } from '@tanstack/react-query';
import { describeFailure, useClient } from './api';

const VERB: Record<RunnerEvent['action'], string> = {
  create: 'Created',
  update: 'Updated',
  delete: 'Deleted',
};

function describeEvent(event: RunnerEvent): string {
  if (event.action !== 'update') return VERB[event.action];
  return event.changed_fields.length > 0
    ? `Updated ${event.changed_fields.join(', ')}`
    : 'Saved without changes';
}

/** The runner's audit trail as a timeline, newest first. */
export function RunnerHistory({ id }: { readonly id: string }) {
  const client = useClient();
  const query = useQuery({
    queryKey: ['runner.events', id],
    queryFn: () => client.runner.events.query({ id }),
  });
  return (
    <section aria-labelledby="history-heading" className="history">
      <h3 id="history-heading">History</h3>
      {query.isPending && <p role="status">Loading history…</p>}
      {query.isError && (
        <p role="alert" className="error-box">
          {describeFailure(query.error)}
        </p>
      )}
      {query.data && (
        <ol className="timeline">
          {query.data.events.map((event) => (
            <li key={event.id}>
              <time dateTime={event.created_at}>{new Date(event.created_at).toLocaleString()}</time>{' '}
              <span>{describeEvent(event)}</span>{' '}
              <span className="muted">
                with token {event.actor.token_id?.slice(0, 8) ?? 'unknown'}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
