/** The largest request body either face reads: 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;
