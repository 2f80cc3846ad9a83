/**
 * Update requests that break a rule of the contract. Each must be refused with 400 BAD_REQUEST,
 * name the failing field, and change nothing. The tRPC suite and the REST suite both run this table.
 */
export interface InvalidUpdateCase {
  readonly title: string;
  /** The fields sent besides the runner's id. */
  readonly body: Record<string, unknown>;
  /** The path of the field the error must name. */
  readonly field: readonly (string | number)[];
}

const long = (length: number, char = 'x') => char.repeat(length);
const manyHeaders = (count: number) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`X-H${i}`, 'v']));

export const invalidUpdates: readonly InvalidUpdateCase[] = [
  { title: 'empty name', body: { name: '' }, field: ['name'] },
  { title: 'name of 101 characters', body: { name: long(101) }, field: ['name'] },
  { title: 'name of 101 emoji', body: { name: long(101, '🦊') }, field: ['name'] },
  { title: 'name that is a number', body: { name: 42 }, field: ['name'] },
  { title: 'name that is null', body: { name: null }, field: ['name'] },
  { title: 'name with a NUL', body: { name: 'a\u0000b' }, field: ['name'] },
  { title: 'name with a newline', body: { name: 'a\nb' }, field: ['name'] },
  { title: 'endpoint that is not a URL', body: { endpoint: 'not a url' }, field: ['endpoint'] },
  { title: 'ftp endpoint', body: { endpoint: 'ftp://files.example.com' }, field: ['endpoint'] },
  { title: 'javascript endpoint', body: { endpoint: 'javascript:alert(1)' }, field: ['endpoint'] },
  { title: 'relative endpoint', body: { endpoint: '/comfy' }, field: ['endpoint'] },
  { title: 'endpoint without host', body: { endpoint: 'http://' }, field: ['endpoint'] },
  {
    title: 'endpoint with credentials',
    body: { endpoint: 'https://user:pass@comfy.example.com' },
    field: ['endpoint'],
  },
  {
    title: 'endpoint over 2048 characters',
    body: { endpoint: `https://example.com/${long(2030)}` },
    field: ['endpoint'],
  },
  { title: 'status outside the enum', body: { status: 'paused' }, field: ['status'] },
  { title: 'status in capitals', body: { status: 'ACTIVE' }, field: ['status'] },
  { title: 'tags that are a string', body: { tags: 'gpu' }, field: ['tags'] },
  {
    title: '11 tags',
    body: { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) },
    field: ['tags'],
  },
  { title: 'an empty tag', body: { tags: ['gpu', ''] }, field: ['tags', 1] },
  { title: 'a tag of 65 characters', body: { tags: [long(65)] }, field: ['tags', 0] },
  { title: 'a tag that is a number', body: { tags: [7] }, field: ['tags', 0] },
  { title: 'a repeated tag', body: { tags: ['gpu', 'gpu'] }, field: ['tags'] },
  { title: 'headers that are an array', body: { headers: ['a'] }, field: ['headers'] },
  {
    title: 'a header value that is a number',
    body: { headers: { 'X-Key': 1 } },
    field: ['headers', 'X-Key'],
  },
  {
    title: 'a header name with a space',
    body: { headers: { 'X Key': 'v' } },
    field: ['headers', 'X Key'],
  },
  { title: 'an empty header name', body: { headers: { '': 'v' } }, field: ['headers', ''] },
  {
    title: 'a header value with CR LF',
    body: { headers: { 'X-Key': 'a\r\nInjected: yes' } },
    field: ['headers', 'X-Key'],
  },
  {
    title: 'a header value with NUL',
    body: { headers: { 'X-Key': 'a\u0000' } },
    field: ['headers', 'X-Key'],
  },
  {
    title: 'a header value over 4096 characters',
    body: { headers: { 'X-Key': long(4097) } },
    field: ['headers', 'X-Key'],
  },
  { title: '33 headers', body: { headers: manyHeaders(33) }, field: ['headers'] },
  {
    title: 'header names that differ only in case',
    body: { headers: { 'X-Key': 'a', 'x-key': 'b' } },
    field: ['headers'],
  },
  { title: 'an unknown field', body: { nmae: 'typo' }, field: [] },
  { title: 'a read-only field', body: { created_at: '2020-01-01T00:00:00.000Z' }, field: [] },
];
