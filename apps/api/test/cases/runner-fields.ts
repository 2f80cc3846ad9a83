/** The fields a Runner has, exactly, in sorted order (issue: "a Runner has exactly these fields"). */
export const RUNNER_FIELDS = [
  'created_at',
  'endpoint',
  'headers',
  'id',
  'name',
  'status',
  'tags',
  'updated_at',
  'user_id',
] as const;
