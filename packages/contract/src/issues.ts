import { z } from 'zod';

export const InputIssueSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])).meta({ description: 'The failing field' }),
  message: z.string(),
});
/** One problem with a request, named by the path of the field it concerns. */
export type InputIssue = z.infer<typeof InputIssueSchema>;

interface RawIssue {
  readonly path?: readonly PropertyKey[] | readonly unknown[];
  readonly message: string;
  readonly code?: string;
  readonly issues?: readonly RawIssue[];
}

const pathKey = (segment: unknown): string | number => {
  const key =
    typeof segment === 'object' && segment !== null && 'key' in segment ? segment.key : segment;
  return typeof key === 'number' ? key : String(key);
};

/**
 * Flattens validation issues (Zod's, or any Standard Schema's) into `{path, message}` pairs.
 * A record key's own message ("header name must be an HTTP token…") replaces Zod's generic one.
 */
export function toInputIssues(issues: readonly RawIssue[]): InputIssue[] {
  return issues.flatMap((issue) => {
    const path = (issue.path ?? []).map(pathKey);
    if (issue.code === 'invalid_key' && issue.issues?.length) {
      return issue.issues.map((inner) => ({ path, message: inner.message }));
    }
    return [{ path, message: issue.message }];
  });
}

/** "name: must be 1 to 100 characters long; tags: must hold at most 10 tags" */
export function describeInputIssues(issues: readonly InputIssue[]): string {
  const parts = issues.map((issue) =>
    issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
  );
  return parts.length > 0 ? parts.join('; ') : 'Invalid input';
}

/** The body of every REST error; `status` and `message` follow ComfyControl's error body. */
export const ApiError = z
  .object({
    status: z.number().int().meta({ description: 'The HTTP status', example: 404 }),
    message: z.string().meta({ example: 'Runner not found' }),
    code: z.string().meta({ description: 'The tRPC error code', example: 'NOT_FOUND' }),
    issues: z
      .array(InputIssueSchema)
      .optional()
      .meta({ description: 'With 400: each failing field and why' }),
  })
  .meta({ id: 'Error' });
export type ApiError = z.infer<typeof ApiError>;
