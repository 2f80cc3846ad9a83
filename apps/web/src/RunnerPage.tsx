import type { Runner, RunnerHealth } from '@runner-registry/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeFailure, errorCodeOf, useClient } from './api';
import { ConfirmDialog } from './ConfirmDialog';
import { HealthReport } from './HealthReport';
import { RunnerForm } from './RunnerForm';
import { RunnerHistory } from './RunnerHistory';
import { hrefFor, navigate, type Route } from './route';

/** A new runner: the form, then its own page. */
export function NewRunnerPage({
  onDone,
}: {
  readonly onDone: (message: string, at: Route) => void;
}) {
  const client = useClient();
  const queryClient = useQueryClient();
  return (
    <section aria-labelledby="new-heading">
      <p>
        <a href={hrefFor({ page: 'list' })}>← All runners</a>
      </p>
      <h2 id="new-heading">New runner</h2>
      <RunnerForm
        onCreate={async (input, status) => {
          const created = await client.runner.create.mutate(input);
          // runner.create always makes an active runner; a disabled one is one update away.
          const runner =
            status === 'active'
              ? created
              : await client.runner.update.mutate({ id: created.id, status });
          await queryClient.invalidateQueries({ queryKey: ['runner.list'] });
          const at: Route = { page: 'runner', id: runner.id };
          onDone(`Created ${runner.name}.`, at);
          navigate(at);
        }}
        onCancel={() => navigate({ page: 'list' })}
      />
    </section>
  );
}

/** One runner: edit form, one-click actions, health check, delete. */
export function RunnerPage({
  id,
  notice,
  onNotice,
}: {
  readonly id: string;
  readonly notice: string | undefined;
  readonly onNotice: (message: string | undefined, at?: Route) => void;
}) {
  const client = useClient();
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: ['runner.get', id],
    queryFn: () => client.runner.get.query({ id }),
    retry: (count, error) => errorCodeOf(error) !== 'NOT_FOUND' && count < 2,
  });
  const [health, setHealth] = useState<RunnerHealth>();
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState<string>();

  const stored = async (runner: Runner) => {
    queryClient.setQueryData(['runner.get', id], runner);
    await queryClient.invalidateQueries({ queryKey: ['runner.events', id] });
    return queryClient.invalidateQueries({ queryKey: ['runner.list'] });
  };

  const setStatus = useMutation({
    mutationFn: (status: Runner['status']) => client.runner.update.mutate({ id, status }),
    onMutate: () => setFailure(undefined),
    onSuccess: async (runner) => {
      await stored(runner);
      onNotice(`${runner.name} is now ${runner.status}.`);
    },
    onError: (error) => setFailure(describeFailure(error)),
  });
  const check = useMutation({
    mutationFn: () => client.runner.check.mutate({ id }),
    onMutate: () => setFailure(undefined),
    onSuccess: setHealth,
    onError: (error) => setFailure(describeFailure(error)),
  });
  const remove = useMutation({
    mutationFn: () => client.runner.delete.mutate({ id }),
    onSuccess: async (runner) => {
      setConfirming(false);
      queryClient.removeQueries({ queryKey: ['runner.get', id] });
      await queryClient.invalidateQueries({ queryKey: ['runner.list'] });
      onNotice(`Deleted ${runner.name}.`, { page: 'list' });
      navigate({ page: 'list' });
    },
    onError: (error) => {
      setConfirming(false);
      setFailure(describeFailure(error));
    },
  });

  const back = (
    <p>
      <a href={hrefFor({ page: 'list' })}>← All runners</a>
    </p>
  );
  if (query.isPending) {
    return (
      <section>
        {back}
        <p role="status">Loading runner…</p>
      </section>
    );
  }
  if (query.isError) {
    return (
      <section>
        {back}
        <div role="alert" className="error-box">
          <p>
            {errorCodeOf(query.error) === 'NOT_FOUND'
              ? 'This runner does not exist (404): it may have been deleted.'
              : describeFailure(query.error)}
          </p>
        </div>
      </section>
    );
  }
  const runner = query.data;
  const busy = setStatus.isPending || check.isPending || remove.isPending;

  return (
    <section aria-labelledby="runner-heading">
      {back}
      <div className="section-head">
        <h2 id="runner-heading">
          Edit runner <span className="runner-name">{runner.name}</span>
        </h2>
        <span className={`status status-${runner.status}`}>{runner.status}</span>
      </div>

      <div className="actions" role="toolbar" aria-label="Runner actions">
        {runner.status === 'active' ? (
          <button type="button" disabled={busy} onClick={() => setStatus.mutate('disabled')}>
            Disable
          </button>
        ) : (
          <button type="button" disabled={busy} onClick={() => setStatus.mutate('active')}>
            Enable
          </button>
        )}
        <button type="button" disabled={busy} onClick={() => check.mutate()}>
          {check.isPending ? 'Checking…' : 'Check health'}
        </button>
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={() => setConfirming(true)}
        >
          Delete
        </button>
      </div>

      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {failure && (
        <p className="error-box" role="alert">
          {failure}
        </p>
      )}
      {health && <HealthReport health={health} />}

      <RunnerForm
        // A fresh form whenever the stored runner changes (after Save, Disable or Enable).
        key={runner.updated_at}
        runner={runner}
        onUpdate={async (input) => {
          // Sent with the updated_at this form was opened on: an edit made meanwhile elsewhere
          // is answered with CONFLICT instead of being overwritten.
          const updated = await client.runner.update.mutate({
            ...input,
            expected_updated_at: runner.updated_at,
          });
          await stored(updated);
          onNotice(`Saved ${updated.name}.`);
        }}
        onCancel={() => navigate({ page: 'list' })}
      />

      <RunnerHistory id={id} />

      <ConfirmDialog
        open={confirming}
        title="Delete this runner?"
        confirmLabel="Yes, delete"
        busy={remove.isPending}
        onConfirm={() => remove.mutate()}
        onCancel={() => setConfirming(false)}
      >
        <p>
          <strong>{runner.name}</strong> will be removed from the registry. This cannot be undone.
        </p>
      </ConfirmDialog>
    </section>
  );
}
