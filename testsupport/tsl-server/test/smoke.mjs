// Smoke test of tsl-server: starts two servers and drives them with psql (and a tiny raw
// wire-protocol client for the extended protocol). Run with `npm test`. Needs psql on PATH.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../server.mjs', import.meta.url));
const HAVE_PSQL = spawnSync('psql', ['--version']).status === 0;
const ENV = { ...process.env, PSQLRC: '/dev/null', PGSSLMODE: 'disable', PGUSER: 'postgres', PGCONNECT_TIMEOUT: '10' };
const figures = {};

function startServer() {
  const t0 = Date.now();
  const proc = spawn(process.execPath, [SERVER, '--port', '0', '--exit-on-stdin-close'], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /^READY (\d+)\n/m.exec(out);
      if (m) resolve({ proc, port: Number(m[1]), startMs: Date.now() - t0, line: out.split('\n')[0] });
    });
    proc.on('exit', (code) => reject(new Error(`server exited with ${code} before READY`)));
    setTimeout(() => reject(new Error('no READY line within 120 s')), 120_000).unref();
  });
}
const conninfo = (srv) => `host=127.0.0.1 port=${srv.port} user=postgres sslmode=disable`;

/** Runs psql; sql may hold several statements and backslash commands; resolves {out, err, code}. */
function psql(srv, args, input) {
  return new Promise((resolve) => {
    const p = spawn('psql', [conninfo(srv), '-X', '-At', '-v', 'ON_ERROR_STOP=1', ...args], { env: ENV });
    const out = [], err = [];
    p.stdout.on('data', (d) => out.push(d));
    p.stderr.on('data', (d) => err.push(d));
    p.on('close', (code) => resolve({ out: Buffer.concat(out), err: Buffer.concat(err).toString(), code }));
    p.stdin.end(input ?? '');
  });
}
async function sql(srv, text, input) {
  const r = await psql(srv, input === undefined ? ['-f', '-'] : ['-c', text], input === undefined ? text : input);
  assert.equal(r.code, 0, `psql failed: ${r.err}`);
  return r.out.toString().trim();
}
const rssMb = (pid) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024);

/** Minimal raw client: startup, then extended-protocol exchanges. */
async function rawClient(srv) {
  const sock = net.connect(srv.port, '127.0.0.1');
  let buf = Buffer.alloc(0), waiter = null;
  sock.on('data', (d) => { buf = Buffer.concat([buf, d]); if (waiter) waiter(); });
  const msg = (t, body) => { const h = Buffer.alloc(5); h.write(t); h.writeInt32BE(body.length + 4, 1); return Buffer.concat([h, body]); };
  const cs = (s) => Buffer.from(s + '\0');
  async function untilReady() { // collects messages up to ReadyForQuery
    const msgs = [];
    for (;;) {
      while (buf.length >= 5 && buf.length >= 1 + buf.readInt32BE(1)) {
        const len = buf.readInt32BE(1), t = String.fromCharCode(buf[0]), body = buf.subarray(5, 1 + len);
        buf = buf.subarray(1 + len);
        msgs.push([t, body]);
        if (t === 'Z') return msgs;
      }
      await new Promise((r) => { waiter = r; });
    }
  }
  await new Promise((r) => sock.once('connect', r));
  const params = Buffer.concat([cs('user'), cs('postgres'), cs('database'), cs('any'), Buffer.from([0])]);
  const head = Buffer.alloc(8); head.writeInt32BE(8 + params.length); head.writeInt32BE(196608, 4);
  sock.write(Buffer.concat([head, params]));
  await untilReady();
  return {
    /** Parse (named) + Bind + Execute + Sync; returns the messages, e.g. [['1',..],['2',..],['D',..],...]. */
    async run(stmt, text, parse = true) {
      const parts = [];
      if (parse) parts.push(msg('P', Buffer.concat([cs(stmt), cs(text), Buffer.from([0, 0])])));
      parts.push(msg('B', Buffer.concat([cs(''), cs(stmt), Buffer.from([0, 0, 0, 0, 0, 0])])));
      parts.push(msg('E', Buffer.concat([cs(''), Buffer.alloc(4)])), msg('S', Buffer.alloc(0)));
      sock.write(Buffer.concat(parts));
      return untilReady();
    },
    close() { sock.end(msg('X', Buffer.alloc(0))); },
  };
}

let A, B;
before(async () => {
  if (!HAVE_PSQL) return;
  [A, B] = await Promise.all([startServer(), startServer()]);
  figures.startupMs = [A.startMs, B.startMs];
  for (const s of [A, B]) {
    await sql(s, `CREATE EXTENSION timescaledb;
      CREATE TABLE m (time timestamptz NOT NULL, dev int, val float8, note text);
      SELECT create_hypertable('m', 'time', chunk_time_interval => interval '1 day');`);
  }
});
after(() => {
  for (const s of [A, B]) s?.proc.stdin.end(); // --exit-on-stdin-close
  if (Object.keys(figures).length) console.log('# figures', JSON.stringify(figures));
});
const t = (name, fn) => test(name, { skip: !HAVE_PSQL && 'psql is not installed' }, fn);

t('READY line and TSL license', async () => {
  assert.match(A.line, /^READY \d+$/);
  assert.equal(await sql(A, 'SHOW timescaledb.license'), 'timescale');
});

t('insert and text COPY FROM STDIN (psql \\copy)', async () => {
  await sql(A, "INSERT INTO m SELECT '2024-01-01'::timestamptz + i * interval '10 s', i % 10, i * 0.5, 'row ' || i FROM generate_series(1, 99998) i");
  const r = await psql(A, ['-c', '\\copy m from stdin'], '2024-01-20 00:00:00+00\t1\t1.5\ta\n2024-01-20 00:00:01+00\t2\t2.5\t\\N\n\\.\n');
  assert.equal(r.code, 0, r.err);
  assert.equal(await sql(A, 'SELECT count(*) FROM m'), '100000');
});

t('binary COPY out of one server and into another, 100k rows', async () => {
  let t0 = Date.now();
  const out = await psql(A, ['-c', 'COPY (SELECT * FROM m) TO STDOUT (FORMAT binary)']);
  figures.copyOutBinary100kMs = Date.now() - t0;
  assert.equal(out.code, 0, out.err);
  t0 = Date.now();
  const r = await psql(B, ['-c', 'COPY m FROM STDIN (FORMAT binary)'], out.out);
  figures.copyInBinary100kMs = Date.now() - t0;
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.toString().trim(), 'COPY 100000');
  const q = "SELECT count(*), sum(val), count(note) FROM m";
  assert.equal(await sql(B, q), await sql(A, q));
  // the same through a shell pipe, as in the runbook
  t0 = Date.now();
  const p = spawnSync('sh', ['-c', `psql "${conninfo(A)}" -X -c "COPY (SELECT * FROM m WHERE dev = 3) TO STDOUT (FORMAT binary)" | psql "${conninfo(B)}" -X -v ON_ERROR_STOP=1 -c "COPY m FROM STDIN (FORMAT binary)"`], { env: ENV });
  figures.pipe10kMs = Date.now() - t0;
  assert.equal(p.status, 0, p.stderr.toString());
  assert.equal(await sql(B, 'SELECT count(*) FROM m'), '110000');
  figures.rssMbAfterCopy = [rssMb(A.proc.pid), rssMb(B.proc.pid)];
});

t('failed COPY FROM STDIN reports the error and leaves the session usable', async () => {
  const r = await psql(B, ['-c', 'COPY m FROM STDIN (FORMAT binary)'], 'garbage');
  assert.notEqual(r.code, 0);
  assert.match(r.err, /signature/);
  assert.equal(await sql(B, 'SELECT 1'), '1');
});

t('compress_chunk', async () => {
  const out = await sql(A, `ALTER TABLE m SET (timescaledb.compress, timescaledb.compress_segmentby = 'dev');
    SELECT count(compress_chunk(c)) FROM show_chunks('m', older_than => '2024-01-10'::timestamptz) c;
    SELECT count(*) FILTER (WHERE is_compressed) FROM timescaledb_information.chunks WHERE hypertable_name = 'm';
    SELECT count(*) FROM m;`);
  const [n, compressed, rows] = out.split('\n').slice(-3);
  assert.ok(Number(n) >= 1, out);
  assert.equal(compressed, n);
  assert.equal(rows, '100000');
});

t('continuous aggregate and refresh_continuous_aggregate', async () => {
  const out = await sql(A, `CREATE MATERIALIZED VIEW m_daily WITH (timescaledb.continuous) AS
      SELECT time_bucket('1 day', time) AS b, dev, count(*) AS n FROM m GROUP BY 1, 2 WITH NO DATA;
    CALL refresh_continuous_aggregate('m_daily', NULL, NULL);
    SELECT sum(n) FROM m_daily;`);
  assert.equal(out.split('\n').pop(), '100000');
});

t('_timescaledb_functions.create_chunk with slices', async () => {
  const out = await sql(B, `SELECT table_name FROM _timescaledb_functions.create_chunk('m',
      '{"time": [1735689600000000, 1735776000000000]}', '_timescaledb_internal', 'given_chunk');
    SELECT range_start FROM timescaledb_information.chunks WHERE chunk_name = 'given_chunk';`);
  assert.deepEqual(out.split('\n'), ['given_chunk', '2025-01-01 00:00:00+00']);
});

t('a second client waits for the first one\'s open transaction', async () => {
  await sql(A, 'CREATE TABLE tx (id int, who text)');
  const t0 = Date.now();
  const first = psql(A, ['-f', '-'], "BEGIN;\nINSERT INTO tx VALUES (1, 'first');\n\\! sleep 2\nINSERT INTO tx VALUES (2, 'first');\nCOMMIT;\n");
  await new Promise((r) => setTimeout(r, 700));
  const second = await sql(A, "INSERT INTO tx VALUES (3, 'second'); SELECT string_agg(id::text, ',' ORDER BY id) FROM tx");
  const waited = Date.now() - t0;
  assert.equal((await first).code, 0);
  assert.ok(waited >= 1800, `second client did not wait (${waited} ms)`);
  assert.equal(second.split('\n').pop(), '1,2,3');
});

t('a client that dies inside a transaction is rolled back', async () => {
  const p = spawn('psql', [conninfo(A), '-X', '-f', '-'], { env: ENV });
  p.stdin.end("BEGIN;\nINSERT INTO tx VALUES (99, 'dies');\n\\! sleep 3\nCOMMIT;\n");
  await new Promise((r) => setTimeout(r, 1000));
  p.kill('SIGKILL');
  assert.equal(await sql(A, 'SELECT count(*) FROM tx WHERE id = 99'), '0');
});

t('extended protocol: same statement names on two connections, COPY via Parse rejected', async () => {
  const [c1, c2] = [await rawClient(A), await rawClient(A)];
  const r1 = await c1.run('S_1', 'SELECT 1');
  const r2 = await c2.run('S_1', 'SELECT 2');
  assert.deepEqual(r1.find(([t]) => t === 'D')[1].subarray(6).toString(), '1');
  assert.deepEqual(r2.find(([t]) => t === 'D')[1].subarray(6).toString(), '2');
  const again = await c1.run('S_1', '', false); // Bind/Execute only: c1's own S_1
  assert.deepEqual(again.find(([t]) => t === 'D')[1].subarray(6).toString(), '1');
  const copy = await c1.run('', 'COPY m FROM STDIN');
  assert.ok(copy.find(([t]) => t === 'E')[1].toString().includes('only supported as a simple Query'));
  c1.close(); c2.close();
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(await sql(A, 'SELECT count(*) FROM pg_prepared_statements'), '0');
});

t('SIGTERM stops a server cleanly', async () => {
  const s = await startServer();
  const code = await new Promise((r) => { s.proc.on('exit', r); s.proc.kill('SIGTERM'); });
  assert.equal(code, 0);
});
