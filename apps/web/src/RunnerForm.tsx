import { RUNNER_LIMITS, type Runner } from '@runner-registry/contract';
import { type FormEvent, type KeyboardEvent, useId, useState } from 'react';
import { describeFailure, serverIssues } from './api';
import {
  type CreateRequest,
  emptyForm,
  type FieldErrors,
  type FormValues,
  formFromRunner,
  issuesToErrors,
  newHeaderRow,
  tagProblem,
  type UpdateRequest,
  validateCreate,
  validateUpdate,
} from './form-model';

interface Props {
  /** The stored runner when editing; absent when creating. */
  readonly runner?: Runner;
  /** Sends the request; a rejection is shown under the form (and its issues next to fields). */
  /** `status` is asked for separately: runner.create always makes an active runner. */
  readonly onCreate?: (input: CreateRequest, status: Runner['status']) => Promise<unknown>;
  readonly onUpdate?: (input: UpdateRequest) => Promise<unknown>;
  readonly onCancel?: () => void;
}

/** Create or edit a runner; the contract's schemas decide what is valid, before any request. */
export function RunnerForm({ runner, onCreate, onUpdate, onCancel }: Props) {
  const id = useId();
  const [values, setValues] = useState<FormValues>(() =>
    runner ? formFromRunner(runner) : emptyForm(),
  );
  const [errors, setErrors] = useState<FieldErrors>({});
  const [tagDraft, setTagDraft] = useState('');
  const [revealed, setRevealed] = useState<ReadonlySet<number>>(new Set());
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [failure, setFailure] = useState<string>();

  const set = (patch: Partial<FormValues>) => setValues((current) => ({ ...current, ...patch }));
  const fieldId = (name: string) => `${id}-${name}`;

  function addTag() {
    const draft = tagDraft.trim();
    const problem = tagProblem(values.tags, draft);
    if (problem) {
      setErrors((current) => ({ ...current, tags: problem }));
      return;
    }
    set({ tags: [...values.tags, draft] });
    setTagDraft('');
    setErrors((current) => ({ ...current, tags: undefined }));
  }

  function onTagKey(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Enter') {
      event.preventDefault();
      addTag();
    }
  }

  function removeTag(tag: string) {
    set({ tags: values.tags.filter((candidate) => candidate !== tag) });
    setErrors((current) => ({ ...current, tags: undefined }));
  }

  function updateRow(key: number, patch: { name?: string; value?: string }) {
    set({ headers: values.headers.map((row) => (row.key === key ? { ...row, ...patch } : row)) });
  }

  function toggleReveal(key: number) {
    setRevealed((current) => {
      const next = new Set(current);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(undefined);
    setFailure(undefined);
    // A tag typed but not added yet would be lost without a word: add it first, or say why not.
    let current = values;
    if (tagDraft.trim() !== '') {
      const problem = tagProblem(values.tags, tagDraft.trim());
      if (problem) {
        setErrors({ tags: problem });
        return;
      }
      current = { ...values, tags: [...values.tags, tagDraft.trim()] };
      setValues(current);
      setTagDraft('');
    }
    const result = runner ? validateUpdate(runner, current) : validateCreate(current);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    if ('changed' in result && result.changed.length === 0) {
      setNotice('Nothing to save: no field has changed.');
      return;
    }
    setBusy(true);
    try {
      if (runner && 'changed' in result) await onUpdate?.(result.input);
      else if (!runner && !('changed' in result)) await onCreate?.(result.input, current.status);
    } catch (error) {
      const issues = serverIssues(error);
      if (issues) setErrors(issuesToErrors(issues, current.headers));
      setFailure(describeFailure(error));
    } finally {
      setBusy(false);
    }
  }

  /** A control's id and error wiring: invalid while it has an error, described by it (and its help). */
  const control = (name: string, error: string | undefined, help?: boolean) => ({
    id: fieldId(name),
    'aria-invalid': error ? true : undefined,
    'aria-describedby':
      [error && fieldId(`${name}-error`), help && fieldId(`${name}-help`)]
        .filter(Boolean)
        .join(' ') || undefined,
  });

  const fieldError = (name: string, error: string | undefined) =>
    error ? (
      <p className="error" id={fieldId(`${name}-error`)}>
        {error}
      </p>
    ) : null;

  return (
    <form className="runner-form" onSubmit={submit} noValidate aria-busy={busy}>
      <div className="field">
        <label htmlFor={fieldId('name')}>Name</label>
        <input
          {...control('name', errors.name)}
          value={values.name}
          onChange={(event) => set({ name: event.target.value })}
          autoComplete="off"
        />
        {fieldError('name', errors.name)}
      </div>

      <div className="field">
        <label htmlFor={fieldId('endpoint')}>Endpoint</label>
        <input
          {...control('endpoint', errors.endpoint)}
          type="url"
          placeholder="http://192.168.1.100:8188"
          value={values.endpoint}
          onChange={(event) => set({ endpoint: event.target.value })}
          autoComplete="off"
        />
        {fieldError('endpoint', errors.endpoint)}
      </div>

      <div className="field">
        <label htmlFor={fieldId('status')}>Status</label>
        <select
          {...control('status', errors.status)}
          value={values.status}
          onChange={(event) => set({ status: event.target.value as Runner['status'] })}
        >
          <option value="active">active</option>
          <option value="disabled">disabled</option>
        </select>
        {fieldError('status', errors.status)}
      </div>

      <div className="field">
        <label htmlFor={fieldId('tags')}>Tags</label>
        <div className="tag-entry">
          <input
            {...control('tags', errors.tags, true)}
            value={tagDraft}
            onChange={(event) => setTagDraft(event.target.value)}
            onKeyDown={onTagKey}
            placeholder="gpu"
            autoComplete="off"
          />
          <button type="button" onClick={addTag}>
            Add tag
          </button>
        </div>
        <small id={fieldId('tags-help')}>
          Press Enter or “Add tag”; at most {RUNNER_LIMITS.tagsMax} tags ({values.tags.length} so
          far).
        </small>
        {fieldError('tags', errors.tags)}
        {values.tags.length > 0 && (
          <ul className="chips" aria-label="Chosen tags">
            {values.tags.map((tag) => (
              <li key={tag} className="chip">
                {tag}
                <button
                  type="button"
                  className="chip-remove"
                  aria-label={`Remove tag ${tag}`}
                  onClick={() => removeTag(tag)}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>

      <fieldset className="headers">
        <legend>Headers</legend>
        <small>Sent with every request to the runner. Values are hidden until you show them.</small>
        {values.headers.map((row, index) => {
          const label = row.name || `header ${index + 1}`;
          const nameError = errors.headerName?.[row.key];
          const valueError = errors.headerValue?.[row.key];
          const shown = revealed.has(row.key);
          return (
            <div className="header-row" key={row.key}>
              <div className="field">
                <label htmlFor={fieldId(`hn-${row.key}`)}>Header name</label>
                <input
                  {...control(`hn-${row.key}`, nameError)}
                  value={row.name}
                  onChange={(event) => updateRow(row.key, { name: event.target.value })}
                  autoComplete="off"
                  spellCheck={false}
                />
                {fieldError(`hn-${row.key}`, nameError)}
              </div>
              <div className="field">
                <label htmlFor={fieldId(`hv-${row.key}`)}>Header value</label>
                <div className="masked">
                  <input
                    {...control(`hv-${row.key}`, valueError)}
                    type={shown ? 'text' : 'password'}
                    value={row.value}
                    onChange={(event) => updateRow(row.key, { value: event.target.value })}
                    onPaste={(event) => {
                      // A browser silently drops CR and LF from pasted text; keep them, so
                      // the contract can say why such a value is refused instead of sending
                      // an altered one.
                      const text = event.clipboardData.getData('text');
                      if (!/[\r\n]/.test(text)) return;
                      event.preventDefault();
                      const input = event.currentTarget;
                      const start = input.selectionStart ?? row.value.length;
                      const end = input.selectionEnd ?? start;
                      updateRow(row.key, {
                        value: row.value.slice(0, start) + text + row.value.slice(end),
                      });
                    }}
                    autoComplete="off"
                    spellCheck={false}
                  />
                  <button
                    type="button"
                    aria-label={`${shown ? 'Hide' : 'Show'} value of ${label}`}
                    aria-pressed={shown}
                    onClick={() => toggleReveal(row.key)}
                  >
                    {shown ? 'Hide' : 'Show'}
                  </button>
                </div>
                {fieldError(`hv-${row.key}`, valueError)}
              </div>
              <button
                type="button"
                className="remove-row"
                aria-label={`Remove header ${label}`}
                onClick={() => set({ headers: values.headers.filter((r) => r.key !== row.key) })}
              >
                Remove
              </button>
            </div>
          );
        })}
        {fieldError('headers', errors.headers)}
        <button
          type="button"
          onClick={() => set({ headers: [...values.headers, newHeaderRow()] })}
          disabled={values.headers.length >= RUNNER_LIMITS.headersMax}
        >
          Add header
        </button>
      </fieldset>

      {errors.form && (
        <p className="error" role="alert">
          {errors.form}
        </p>
      )}
      {failure && (
        <p className="error-box" role="alert">
          {failure}
        </p>
      )}
      {notice && <p role="status">{notice}</p>}
      {Object.values(errors).some(Boolean) && !errors.form && (
        <p className="error" role="alert">
          Please correct the fields marked above.
        </p>
      )}

      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
