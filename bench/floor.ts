/**
 * The floor: the least a Node process must do to serve the same requests as the service on
 * the same database. node:http, pg with named prepared statements, and per request the steps
 * the product cannot skip: bearer check (SHA-256, indexed token lookup honouring revocation and
 * expiry), JSON parse, the contract's field checks, one SQL statement. No framework, no logging.
 * The service's req/s and latency are reported as a ratio to this.
 *
 * Run: DATABASE_URL=… PORT=… node --import tsx bench/floor.ts
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { RunnerIdInput, RunnerListInput, RunnerUpdateInput } from '@runner-registry/contract';
import pg from 'pg';

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_MAX ?? 10),
});

const RETURNING = 'id, user_id, name, status, endpoint, tags, headers, created_at, updated_at';

const FIND_TOKEN = `SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL
  AND (expires_at IS NULL OR expires_at > now())`;
// One statement for any subset of fields: a NULL parameter keeps the column as it is.
const UPDATE_RUNNER = `UPDATE runners SET
  name = coalesce($3, name), endpoint = coalesce($4, endpoint), status = coalesce($5, status),
  tags = coalesce($6::text[], tags), headers = coalesce($7::jsonb, headers),
  updated_at = greatest(date_trunc('milliseconds', now()), updated_at + interval '1 millisecond')
  WHERE id = $1 AND user_id = $2 RETURNING ${RETURNING}`;
const GET_RUNNER = `SELECT ${RETURNING} FROM runners WHERE id = $1 AND user_id = $2`;
const LIST_RUNNERS = `SELECT ${RETURNING} FROM runners WHERE user_id = $1
  ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`;
const COUNT_RUNNERS = 'SELECT count(*)::int AS total FROM runners WHERE user_id = $1';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const TOKEN = /^rr_[A-Za-z0-9_-]{43}$/;
const RUNNER_PATH = /^\/v1\/runner\/([^/?]+)$/;

interface Row {
  readonly created_at: Date;
  readonly updated_at: Date;
}

const toRunner = (row: Row) => ({
  ...row,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

async function userId(header: string | undefined): Promise<string | undefined> {
  const token = header ? BEARER.exec(header)?.[1] : undefined;
  if (!token || !TOKEN.test(token)) return undefined;
  const hash = createHash('sha256').update(token).digest('hex');
  const { rows } = await pool.query<{ user_id: string }>({
    name: 'find-token',
    text: FIND_TOKEN,
    values: [hash],
  });
  return rows[0]?.user_id;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function update(owner: string, input: unknown): Promise<unknown> {
  const parsed = RunnerUpdateInput.safeParse(input);
  if (!parsed.success) return { status: 400 };
  const { id, name, endpoint, status, tags, headers } = parsed.data;
  const { rows } = await pool.query<Row>({
    name: 'update-runner',
    text: UPDATE_RUNNER,
    values: [id, owner, name, endpoint, status, tags, headers && JSON.stringify(headers)],
  });
  return rows[0] && toRunner(rows[0]);
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  if (url === '/healthz') return send(res, 200, { status: 'ok' });
  const owner = await userId(req.headers.authorization);
  if (!owner) return send(res, 401, { status: 401, code: 'UNAUTHORIZED' });
  const runnerPath = RUNNER_PATH.exec(url);

  if (req.method === 'PUT' && runnerPath) {
    const body: unknown = JSON.parse(await readBody(req));
    const runner = await update(owner, { ...(body as object), id: runnerPath[1] });
    return runner ? send(res, 200, runner) : send(res, 404, { status: 404 });
  }
  if (req.method === 'POST' && url === '/trpc/runner.update') {
    const runner = await update(owner, JSON.parse(await readBody(req)));
    return runner ? send(res, 200, { result: { data: runner } }) : send(res, 404, {});
  }
  if (req.method === 'GET' && runnerPath) {
    const parsed = RunnerIdInput.safeParse({ id: runnerPath[1] });
    if (!parsed.success) return send(res, 400, { status: 400 });
    const { rows } = await pool.query<Row>({
      name: 'get-runner',
      text: GET_RUNNER,
      values: [parsed.data.id, owner],
    });
    return rows[0] ? send(res, 200, toRunner(rows[0])) : send(res, 404, { status: 404 });
  }
  if (req.method === 'GET' && url.startsWith('/v1/runner?')) {
    const query = Object.fromEntries(new URL(url, 'http://floor').searchParams);
    const parsed = RunnerListInput.safeParse(query);
    if (!parsed.success) return send(res, 400, { status: 400 });
    const { page, per_page } = parsed.data;
    const [list, count] = await Promise.all([
      pool.query<Row>({
        name: 'list-runners',
        text: LIST_RUNNERS,
        values: [owner, per_page, (page - 1) * per_page],
      }),
      pool.query<{ total: number }>({
        name: 'count-runners',
        text: COUNT_RUNNERS,
        values: [owner],
      }),
    ]);
    return send(res, 200, { runners: list.rows.map(toRunner), total: count.rows[0]?.total });
  }
  send(res, 404, { status: 404 });
}

const server = http.createServer((req, res) => {
  handle(req, res).catch(() => send(res, 500, { status: 500 }));
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 3001), '127.0.0.1');

const stop = () => server.close(() => void pool.end().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
