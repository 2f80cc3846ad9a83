import { type Runner, RunnerTags, toInputIssues } from '@runner-registry/contract';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { describeFailure, useClient } from './api';
import { hrefFor } from './route';

const PER_PAGE = 10;

const formatTime = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "gpu, a100" → ["gpu", "a100"]; blanks dropped. */
const splitTags = (text: string) =>
  text
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');

export function RunnerList() {
  const client = useClient();
  const [status, setStatus] = useState<Runner['status'] | ''>('');
  const [tagText, setTagText] = useState('');
  const [page, setPage] = useState(1);

  const tags = splitTags(tagText);
  const tagCheck = RunnerTags.safeParse(tags);
  const tagError = tagCheck.success ? undefined : toInputIssues(tagCheck.error.issues)[0]?.message;

  const input = {
    page,
    per_page: PER_PAGE,
    ...(status && { status }),
    ...(tags.length > 0 && { tags }),
  };
  const query = useQuery({
    queryKey: ['runner.list', input],
    queryFn: () => client.runner.list.query(input),
    enabled: !tagError,
    placeholderData: keepPreviousData,
  });

  const total = query.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  const filtered = status !== '' || tags.length > 0;
  // After deleting the last runner of the last page, step back to a page that has some.
  useEffect(() => {
    if (query.data && query.data.runners.length === 0 && page > pages) setPage(pages);
  }, [query.data, page, pages]);

  return (
    <section aria-labelledby="runners-heading">
      <div className="section-head">
        <h2 id="runners-heading">Runners</h2>
        <a className="button primary" href={hrefFor({ page: 'new' })}>
          New runner
        </a>
      </div>

      <div className="filters">
        <div className="field">
          <label htmlFor="filter-status">Filter by status</label>
          <select
            id="filter-status"
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as Runner['status'] | '');
              setPage(1);
            }}
          >
            <option value="">Any status</option>
            <option value="active">active</option>
            <option value="disabled">disabled</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-tags">Filter by tags</label>
          <input
            id="filter-tags"
            type="search"
            placeholder="gpu, a100"
            value={tagText}
            onChange={(event) => {
              setTagText(event.target.value);
              setPage(1);
            }}
            aria-describedby="filter-tags-help"
            aria-invalid={tagError ? true : undefined}
          />
          <small id="filter-tags-help">
            {tagError ? (
              <span className="error">Tags: {tagError}</span>
            ) : (
              'Comma-separated; runners carrying all of them'
            )}
          </small>
        </div>
      </div>

      {query.isPending && !tagError ? (
        <p role="status">Loading runners…</p>
      ) : query.isError ? (
        <div role="alert" className="error-box">
          <p>Could not load the runners. {describeFailure(query.error)}</p>
          <button type="button" onClick={() => query.refetch()}>
            Try again
          </button>
        </div>
      ) : query.data && query.data.runners.length === 0 ? (
        <p className="empty" role="status">
          {filtered ? (
            'No runners match these filters.'
          ) : (
            <>
              No runners yet. <a href={hrefFor({ page: 'new' })}>Register your first runner</a>.
            </>
          )}
        </p>
      ) : query.data ? (
        <>
          <table className="runners" aria-busy={query.isFetching}>
            <caption className="visually-hidden">Runners, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Endpoint</th>
                <th scope="col">Tags</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {query.data.runners.map((runner) => (
                <tr key={runner.id}>
                  <td>
                    <a href={hrefFor({ page: 'runner', id: runner.id })}>{runner.name}</a>
                  </td>
                  <td>
                    <span className={`status status-${runner.status}`}>{runner.status}</span>
                  </td>
                  <td className="endpoint">{runner.endpoint}</td>
                  <td>
                    <ul className="chips" aria-label={`Tags of ${runner.name}`}>
                      {runner.tags.map((tag) => (
                        <li key={tag} className="chip">
                          {tag}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    <time dateTime={runner.updated_at}>{formatTime(runner.updated_at)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Pages">
            <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              Previous
            </button>
            <span role="status">
              Page {page} of {pages} · {total} {total === 1 ? 'runner' : 'runners'}
            </span>
            <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>
              Next
            </button>
          </nav>
        </>
      ) : null}
    </section>
  );
}
