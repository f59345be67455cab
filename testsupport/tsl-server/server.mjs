#!/usr/bin/env node
/*
 * tsl-server: a TEST-ONLY PostgreSQL wire-protocol server in front of ONE PGlite instance
 * (PostgreSQL 17 in WASM) that bundles TimescaleDB with its Timescale-License (TSL) module,
 * so tests can use compression, continuous aggregates and _timescaledb_functions.create_chunk
 * through pgjdbc or psql. Usage: node server.mjs [--port 0] [--host 127.0.0.1]
 *   [--data-dir PATH] [--exit-on-stdin-close]; prints exactly one line "READY <port>" on stdout.
 *
 * PGlite is a single in-process backend driven by execProtocolRaw(bytes) -> bytes. Serving it
 * to several TCP clients needs these tricks (each one was measured to be necessary):
 *  1. SSLRequest / GSSENCRequest are answered with 'N' here; CancelRequest just closes the
 *     socket (nothing can be cancelled). The StartupMessage goes to PGlite; PGlite then asks
 *     for an MD5 password and accepts any, so the server sends a PasswordMessage itself (a
 *     second call) and the client sees "trust" auth: psql needs no password, pgjdbc sends none.
 *     PGlite ignores the startup parameters: user and database names can be anything, there is
 *     one database (current_database() says template1) and the session time zone is GMT.
 *  2. Client messages are grouped into units that end with Query 'Q', Sync 'S', Flush 'H' or
 *     FunctionCall 'F'; one execProtocolRaw call per unit (PGlite answers whatever it was given).
 *  3. All clients share ONE session. A client owns the backend from its first unit until a
 *     ReadyForQuery with status 'I'; other clients' units wait in a FIFO queue, so transactions
 *     never interleave. Session state (SET, temp tables, advisory locks) is shared by all.
 *  4. Named prepared statements and portals are renamed per client ("c<id>_<name>") in Parse,
 *     Bind, Describe, Execute and Close, because pgjdbc calls them S_1, S_2... on every
 *     connection. A client's statements are closed when it goes away.
 *  5. COPY ... FROM STDIN: PGlite must get the Query, every CopyData and the CopyDone in ONE
 *     call (otherwise the WASM backend crashes waiting for input). So a simple Query that is a
 *     COPY FROM STDIN is answered here with a synthetic CopyInResponse (overall format 1 when
 *     the statement says BINARY), CopyData is buffered until CopyDone/CopyFail, then the whole
 *     batch is executed and PGlite's own CopyInResponse is dropped from the reply. pgjdbc's
 *     CopyManager.copyIn and psql's \copy send a simple Query. A COPY FROM STDIN sent through
 *     the extended protocol (Parse) is rewritten into a statement that raises a clear error.
 *  6. On Terminate or a dropped socket the client's open transaction is rolled back (and an
 *     extended-protocol error state is cleared with Sync) before the backend is handed on.
 */
import net from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { timescaledb } from '@electric-sql/pglite/timescaledb';

const SSL_REQUEST = 80877103, GSSENC_REQUEST = 80877104, CANCEL_REQUEST = 80877102;
const DEBUG = !!process.env.TSL_SERVER_DEBUG;
const log = (...a) => console.error('[tsl-server]', ...a);

function parseArgs(argv) {
  const opts = { port: 0, host: '127.0.0.1', dataDir: undefined, exitOnStdinClose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') opts.port = Number(argv[++i]);
    else if (a === '--host') opts.host = argv[++i];
    else if (a === '--data-dir') opts.dataDir = argv[++i];
    else if (a === '--exit-on-stdin-close') opts.exitOnStdinClose = true;
    else { log(`unknown argument ${a}`); process.exit(64); }
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    log('--port needs a number 0..65535'); process.exit(64);
  }
  return opts;
}

// ---- wire helpers ------------------------------------------------------------------------
const cstr = (s) => Buffer.from(s + '\0', 'utf8');
function message(type, body = Buffer.alloc(0)) {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}
/** Reads a NUL-terminated string at off; returns [string, offset after the NUL]. */
function readCStr(buf, off) {
  const end = buf.indexOf(0, off);
  return [buf.toString('utf8', off, end), end + 1];
}
function copyInResponse(format) {
  const body = Buffer.alloc(3);
  body.writeInt8(format, 0); // overall format; 0 columns announced (clients do not need them)
  body.writeInt16BE(0, 1);
  return message('G', body);
}
const stripLeadingComments = (sql) => sql.replace(/^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/, '');
const isCopyFromStdin = (sql) => /^copy\b[\s\S]*?\bfrom\s+stdin\b/i.test(stripLeadingComments(sql));
const isBinaryCopy = (sql) => /\bfrom\s+stdin\b[\s\S]*\bbinary\b/i.test(sql);
const REJECT_EXTENDED_COPY = "DO $tsl$BEGIN RAISE EXCEPTION 'tsl-server: COPY FROM STDIN is only "
  + "supported as a simple Query (pgjdbc CopyManager.copyIn, psql copy), not via Parse/Bind'; END$tsl$";

/** Scans a PGlite reply: last ReadyForQuery status, optionally dropping CopyInResponse 'G'. */
function scanReply(out, dropCopyIn) {
  let status = null, i = 0, start = 0;
  const keep = [];
  while (i + 5 <= out.length) {
    const t = out[i], len = out.readInt32BE(i + 1);
    if (t === 0x5a /* Z */) status = String.fromCharCode(out[i + 5]);
    if (dropCopyIn && t === 0x47 /* G */) { keep.push(out.subarray(start, i)); start = i + 1 + len; }
    i += 1 + len;
  }
  keep.push(out.subarray(start));
  return { data: keep.length === 1 ? keep[0] : Buffer.concat(keep), status };
}

// ---- the backend and who owns it ---------------------------------------------------------
let db;
let owner = null;
const waiting = [];
function acquire(client) {
  if (owner === client) return Promise.resolve();
  if (owner === null) { owner = client; return Promise.resolve(); }
  return new Promise((resolve) => waiting.push({ client, resolve }));
}
function release(client) {
  if (owner !== client) return;
  const next = waiting.shift();
  owner = next ? next.client : null;
  if (next) next.resolve();
}
/** Runs one unit for client (waiting for ownership); returns the bytes for the client. */
async function runUnit(client, unit, dropCopyIn = false) {
  await acquire(client);
  let out;
  try {
    // execProtocolRaw returns a view of PGlite's receive buffer: copy it before the next call.
    out = Buffer.from(await db.execProtocolRaw(unit));
  } catch (err) {
    log('FATAL: PGlite failed while executing a unit:', err);
    process.exit(2);
  }
  const { data, status } = scanReply(out, dropCopyIn);
  client.midUnit = status === null; // e.g. after Flush or an authentication request
  if (status) client.status = status;
  if (DEBUG) log(`client ${client.id}: unit ${unit.length} B -> ${out.length} B, status ${status}`);
  if (status === 'I') release(client);
  return data;
}

// ---- one client connection ---------------------------------------------------------------
let nextClientId = 1;
const clients = new Set();

class Client {
  constructor(sock) {
    this.id = nextClientId++;
    this.sock = sock;
    this.buf = Buffer.alloc(0);
    this.started = false;   // StartupMessage seen: from now on messages have a type byte
    this.pending = [];      // messages of the unit being collected
    this.copy = null;       // buffered Query + CopyData while in COPY FROM STDIN
    this.status = 'I';      // last ReadyForQuery status seen by this client
    this.midUnit = false;
    this.stmts = new Set(); // this client's named prepared statements (client-side names)
    this.closing = false;   // Terminate received or socket closed
    this.gone = false;      // socket closed: skip units not yet run
    this.chain = Promise.resolve(); // everything of one client runs strictly in order
    sock.setNoDelay(true);
    sock.on('data', (chunk) => this.onData(chunk));
    sock.on('error', () => {});
    sock.on('close', () => this.close(true));
  }

  enqueue(fn) {
    this.chain = this.chain.then(fn).catch((err) => { log(`client ${this.id}:`, err); this.sock.destroy(); });
  }
  send(data) { if (!this.gone && data.length) this.sock.write(data); }
  submit(unit, dropCopyIn = false) {
    this.enqueue(async () => { if (!this.gone) this.send(await runUnit(this, unit, dropCopyIn)); });
  }
  flushUnit() { const unit = Buffer.concat(this.pending); this.pending = []; this.submit(unit); }

  onData(chunk) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (!this.started) {
        if (this.buf.length < 8) return;
        const len = this.buf.readInt32BE(0);
        if (this.buf.length < len) return;
        const msg = this.buf.subarray(0, len);
        this.buf = this.buf.subarray(len);
        const code = msg.readInt32BE(4);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) { this.sock.write('N'); continue; }
        if (code === CANCEL_REQUEST) { this.sock.destroy(); return; }
        this.started = true;
        this.enqueue(async () => {
          let reply = await runUnit(this, msg);
          // PGlite asks for an (MD5) password and accepts any: answer it here ("trust" for clients)
          if (reply[0] === 0x52 /* R */ && reply.readInt32BE(5) !== 0) {
            reply = await runUnit(this, message('p', cstr('tsl-server')));
          }
          this.send(reply);
        });
      } else {
        if (this.buf.length < 5) return;
        const total = 1 + this.buf.readInt32BE(1);
        if (this.buf.length < total) return;
        const msg = this.buf.subarray(0, total);
        this.buf = this.buf.subarray(total);
        this.onMessage(String.fromCharCode(msg[0]), msg);
        if (this.closing) return;
      }
    }
  }

  onMessage(type, msg) {
    if (this.copy) { // copy-in mode: collect until CopyDone / CopyFail
      if (type === 'd') { this.copy.push(msg); return; }
      if (type === 'H' || type === 'S') return; // ignored during copy-in, as by PostgreSQL
      if (type !== 'c' && type !== 'f') msg = message('f', cstr(`unexpected message '${type}' during COPY`));
      const unit = Buffer.concat([...this.copy, msg]);
      this.copy = null;
      this.submit(unit, true);
      return;
    }
    switch (type) {
      case 'Q': {
        const [sql] = readCStr(msg, 5);
        if (isCopyFromStdin(sql)) {
          this.copy = [msg];
          const reply = copyInResponse(isBinaryCopy(sql) ? 1 : 0);
          this.enqueue(() => this.send(reply)); // after the replies to earlier units
          return;
        }
        this.pending.push(msg);
        this.flushUnit();
        return;
      }
      case 'P': case 'B': case 'D': case 'E': case 'C':
        this.pending.push(this.rename(type, msg));
        return;
      case 'S': case 'H': case 'F': case 'p':
        this.pending.push(msg);
        this.flushUnit();
        return;
      case 'X':
        this.pending = [];
        this.close(false);
        return;
      default:
        this.pending.push(msg);
    }
  }

  /** Renames named statements/portals: "S_1" -> "c7_S_1"; the unnamed ones stay unnamed. */
  rename(type, msg) {
    const body = msg.subarray(5);
    const map = (name) => (name === '' ? '' : `c${this.id}_${name}`);
    if (type === 'P') {
      const [name, o1] = readCStr(body, 0);
      const [sql, o2] = readCStr(body, o1);
      if (name) this.stmts.add(name);
      const sqlBytes = isCopyFromStdin(sql) ? cstr(REJECT_EXTENDED_COPY) : body.subarray(o1, o2);
      return message('P', Buffer.concat([cstr(map(name)), sqlBytes, body.subarray(o2)]));
    }
    if (type === 'B') {
      const [portal, o1] = readCStr(body, 0);
      const [stmt, o2] = readCStr(body, o1);
      return message('B', Buffer.concat([cstr(map(portal)), cstr(map(stmt)), body.subarray(o2)]));
    }
    if (type === 'E') {
      const [portal, o1] = readCStr(body, 0);
      return message('E', Buffer.concat([cstr(map(portal)), body.subarray(o1)]));
    }
    // Describe / Close: one byte 'S' (statement) or 'P' (portal), then the name
    const [name] = readCStr(body, 1);
    if (type === 'C' && body[0] === 0x53) this.stmts.delete(name);
    return message(type, Buffer.concat([body.subarray(0, 1), cstr(map(name))]));
  }

  /** Terminate (units sent before it still run) or dropped socket (they are skipped): roll back
   *  the client's transaction, close its statements, hand the backend on. */
  close(dropped) {
    if (dropped) this.gone = true;
    if (this.closing) return;
    this.closing = true;
    clients.delete(this);
    this.enqueue(async () => {
      if (owner !== this && this.stmts.size === 0) return;
      let rollback = this.status !== 'I' || this.midUnit;
      for (let round = 0; round < 2; round++) {
        const parts = rollback ? [message('Q', cstr('ROLLBACK'))] : [];
        for (const s of this.stmts) parts.push(message('C', Buffer.concat([Buffer.from('S'), cstr(`c${this.id}_${s}`)])));
        parts.push(message('S'));
        await runUnit(this, Buffer.concat(parts));
        if (this.status === 'I' && !this.midUnit) break;
        rollback = true; // e.g. the Query was skipped because an extended-protocol error was pending
      }
      if (DEBUG) log(`client ${this.id}: cleaned up`);
      release(this);
    });
    if (!dropped) this.enqueue(() => this.sock.end());
  }
}

// ---- main --------------------------------------------------------------------------------
const opts = parseArgs(process.argv.slice(2));
const t0 = Date.now();
db = await PGlite.create({ dataDir: opts.dataDir, extensions: { timescaledb } });
// This build starts with client_min_messages=debug3: every client would get floods of DEBUG notices.
await db.exec('SET client_min_messages TO notice; SET log_min_messages TO warning');
// PGlite has no shared_preload_libraries: on a reopened --data-dir nothing would load TimescaleDB
// (inserts would land in the hypertable's parent table, timescaledb.* settings are unknown).
await db.exec("LOAD 'timescaledb'");
const server = net.createServer((sock) => clients.add(new Client(sock)));
server.on('error', (err) => { log('listen failed:', err.message); process.exit(1); });
server.listen(opts.port, opts.host, () => {
  const { port } = server.address();
  log(`PGlite ready in ${Date.now() - t0} ms, listening on ${opts.host}:${port}`);
  process.stdout.write(`READY ${port}\n`);
});

let stopping = false;
async function shutdown(why) {
  if (stopping) return;
  stopping = true;
  log(`shutting down (${why})`);
  server.close();
  for (const c of clients) c.sock.destroy();
  try { await db.close(); } catch (err) { log('close failed:', err.message); }
  process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
if (opts.exitOnStdinClose) {
  process.stdin.on('end', () => shutdown('stdin closed'));
  process.stdin.on('close', () => shutdown('stdin closed'));
  process.stdin.resume();
}
