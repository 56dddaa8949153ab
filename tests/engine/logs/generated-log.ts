/** A generated stderr log for tests of the log engine (deterministic: same seed, same text). */

/** Deterministic pseudo-random numbers. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
}

/**
 * A stderr log (prefix '%m [%p] %q%u@%d ') of interleaved sessions: statements logged with
 * log_statement and their durations later (log_duration), multi-line statements, prepared
 * statements with DETAIL parameters, multi-statement lines (shared durations), failing
 * statements with STATEMENT lines, utility statements, auto_explain plans, temp files, lock
 * waits, checkpoints, disconnections, and garbage lines. Durations repeat (ties for examples).
 */
export function generatedLog(entries: number, seed: number): string {
  const next = random(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
  const pids = Array.from({ length: 37 }, (_, i) => 4000 + i * 7);
  const pendingSql = new Map<number, string>();
  const durations = ['0.010', '0.010', '1.500', '2.333', '0.001', '12.345', '1.500', '100.000'];
  const out: string[] = [];
  let time = Date.UTC(2024, 4, 1, 10, 0, 0);
  for (let n = 0; n < entries; n += 1) {
    time += Math.floor(next() * 900);
    const stamp = new Date(time).toISOString().replace('T', ' ').replace('Z', ' UTC');
    const pid = pick(pids);
    const who = `${pick(['app', 'batch', 'report'])}@${pick(['shop', 'crm'])}`;
    const head = `${stamp} [${pid}] ${who} `;
    const id = Math.floor(next() * 50);
    switch (Math.floor(next() * 14)) {
      case 0:
      case 1: {
        const sql = pick([`SELECT *\n\tFROM orders\n\tWHERE id = ${id}`, `UPDATE stock SET n = n - ${id} WHERE sku = 'a${id % 3}'`, 'BEGIN', `SELECT ${id}`]);
        pendingSql.set(pid, sql);
        out.push(`${head}LOG:  statement: ${sql}`);
        break;
      }
      case 2:
        out.push(`${head}LOG:  duration: ${pick(durations)} ms`);
        pendingSql.delete(pid);
        break;
      case 3:
        out.push(`${head}LOG:  duration: ${pick(durations)} ms  execute S_${id % 4}: SELECT name FROM items WHERE id = $1 AND tag = $2`);
        out.push(`${head}DETAIL:  parameters: $1 = '${id}', $2 = '${pick(['x', 'y', "it''s"])}'`);
        break;
      case 4:
        out.push(`${head}LOG:  duration: ${pick(durations)} ms  statement: BEGIN; UPDATE accounts SET b = b + ${id} WHERE id = ${id % 7}; COMMIT;`);
        break;
      case 5:
        out.push(`${head}LOG:  duration: ${pick(durations)} ms  statement: SELECT o.id,\n\t       o.total\n\tFROM orders o\n\tWHERE o.customer = ${id}`);
        break;
      case 6: {
        const failing = pendingSql.get(pid) ?? `SELECT * FROM missing_${id % 3}`;
        out.push(`${head}ERROR:  relation "missing_${id % 3}" does not exist at character 15`);
        out.push(`${head}STATEMENT:  ${failing}`);
        break;
      }
      case 7:
        out.push(`${head}LOG:  duration: ${pick(durations)} ms  plan:\n\tQuery Text: SELECT * FROM orders WHERE id = ${id}\n\tIndex Scan using orders_pkey on orders  (cost=0.29..8.30 rows=1 width=40) (actual time=0.010..0.011 rows=1 loops=1)`);
        break;
      case 8:
        out.push(`${head}LOG:  temporary file: path "base/pgsql_tmp/pgsql_tmp${pid}.${id}", size ${1024 * (id + 1)}`);
        out.push(`${head}STATEMENT:  SELECT * FROM big ORDER BY x LIMIT ${id}`);
        break;
      case 9:
        out.push(`${head}LOG:  process ${pid} still waiting for ShareLock on transaction ${700 + id} after ${pick(['1000.010', '1000.010', '1500.500'])} ms`);
        out.push(`${head}DETAIL:  Process holding the lock: ${pid + 1}. Wait queue: ${pid}.`);
        out.push(`${head}CONTEXT:  while updating tuple (0,${id}) in relation "stock"`);
        out.push(`${head}STATEMENT:  UPDATE stock SET n = 0 WHERE sku = 'a${id % 3}'`);
        break;
      case 10:
        out.push(`${head}LOG:  disconnection: session time: 0:00:0${id % 10}.${String(id).padStart(3, '0')} user=app database=shop host=10.0.0.${id % 5} port=5432`);
        pendingSql.delete(pid);
        break;
      case 11:
        out.push(`${stamp} [77] LOG:  checkpoint complete: wrote ${id} buffers (0.1%); 0 WAL file(s) added, 0 removed, 1 recycled; write=0.${String(id).padStart(3, '0')} s, sync=0.002 s, total=0.${String(id + 3).padStart(3, '0')} s`);
        break;
      case 12:
        out.push(pick(['garbage without a prefix', '\tcontinuation of nothing after a blank', '']));
        break;
      default:
        out.push(`${head}LOG:  duration: ${pick(durations)} ms  statement: INSERT INTO events (kind, at)\n\tVALUES ('k${id % 4}', now())`);
    }
  }
  return `${out.join('\n')}\n`;
}
