/**
 * Benchmark of the index advisor and the plan diagram.
 *  - advice for a 50-query workload over a 20-table schema (target ≤ 15 s)
 *  - plan diagram PNG for a ~100-node plan (target ≤ 60 ms)
 * Uses BENCH_DATABASE_URL, else the local server at postgres://postgres@127.0.0.1:5432/postgres;
 * creates a throw-away database with hypopg, and drops it afterwards.
 * Writes bench/results/advisor.json and prints the figures.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { adviseIndexes, type WorkloadQuery } from '../src/engine/advisor/index.js';
import { TargetDatabase } from '../src/engine/db/target-database.js';
import { explainQuery } from '../src/engine/plan/index.js';
import { renderPlan } from '../src/renderers/plan-diagram.js';

const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const tables = 20;

function urlFor(database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function workload(): WorkloadQuery[] {
  const queries: WorkloadQuery[] = [];
  for (let i = 0; i < tables; i += 1) {
    const next = (i + 1) % tables;
    queries.push({ sql: `select * from t${i} where owner_id = ${i * 7 + 1}`, weight: 100 - i });
    queries.push({ sql: `select id, amount from t${i} where kind = 'rare' and created_at > now() - interval '3 days'`, weight: 20 + i });
    if (i < 10) queries.push({ sql: `select a.id, b.amount from t${i} a join t${next} b on b.owner_id = a.id where a.code = ${i + 3}`, weight: 10 });
  }
  return queries.slice(0, 50);
}

async function main(): Promise<void> {
  const database = `pgdba_bench_advisor_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${database}`);
  await admin.end();
  const setup = new pg.Client({ connectionString: urlFor(database) });
  await setup.connect();
  const results: Record<string, unknown> = { database: baseUrl.replace(/:[^:@/]*@/, ':*****@'), tables };
  try {
    try {
      await setup.query('create extension hypopg');
    } catch (error) {
      throw new Error(`hypopg cannot be created on ${baseUrl} (${(error as Error).message}); install postgresql-NN-hypopg or set BENCH_DATABASE_URL.`, { cause: error });
    }
    const setupStarted = performance.now();
    for (let i = 0; i < tables; i += 1) {
      await setup.query(`create table t${i} (id int primary key, owner_id int not null, code int not null, kind text not null,
        amount numeric not null, created_at timestamptz not null, note text);
        insert into t${i} select g, g % 2000, g % 97, case when g % 400 = 0 then 'rare' else 'common' end, g % 1000,
          now() - g * interval '1 minute', 'note ' || g from generate_series(1, 20000) g;`);
    }
    await setup.query('analyze');
    results.setupSeconds = (performance.now() - setupStarted) / 1000;

    const target = await TargetDatabase.connect(urlFor(database), { statementTimeoutMs: 60_000, lockTimeoutMs: 2_000, connectTimeoutMs: 5_000, poolSize: 2 });
    try {
      const queries = workload();
      const started = performance.now();
      const advice = await adviseIndexes(target, queries, { maxIndexes: 25 });
      const adviceSeconds = (performance.now() - started) / 1000;
      results.advice = {
        queries: queries.length,
        seconds: Math.round(adviceSeconds * 100) / 100,
        targetSeconds: 15,
        candidates: advice.totals.candidates,
        verifiedCandidates: advice.totals.verifiedCandidates,
        recommended: advice.recommendations.length,
        whatIfExplains: advice.totals.explains,
        savingPercent: Math.round(advice.totals.savingPercent * 10) / 10,
      };

      // A ~100-node plan: 25 two-table hash joins under one Append.
      const branches = Array.from({ length: 25 }, (_, i) => `select a.id from t${i % tables} a join t${(i + 1) % tables} b on b.id = a.owner_id where a.code = ${i}`);
      const explained = await explainQuery(target, branches.join(' union all '), { analyze: true });
      const plan = explained.plan;
      // Warm-up: the first render builds the glyph atlases (once per process, ~1 s).
      for (let i = 0; i < 3; i += 1) await renderPlan(plan, { tips: explained.tips });
      const timings: number[] = [];
      let bytes = 0;
      // CPU time next to wall time: on a busy machine wall time mostly measures waiting for a core.
      const cpuStart = process.cpuUsage();
      for (let i = 0; i < 20; i += 1) {
        const t0 = performance.now();
        const png = await renderPlan(plan, { tips: explained.tips });
        timings.push(performance.now() - t0);
        bytes = png.length;
      }
      const cpu = process.cpuUsage(cpuStart);
      const cpuMsPerRender = (cpu.user + cpu.system) / 1000 / 20;
      timings.sort((a, b) => a - b);
      results.planDiagram = {
        nodes: plan.nodeCount,
        medianMs: Math.round(timings[Math.floor(timings.length / 2)]! * 10) / 10,
        p95Ms: Math.round(timings[Math.floor(timings.length * 0.95)]! * 10) / 10,
        cpuMsPerRender: Math.round(cpuMsPerRender * 10) / 10,
        targetMs: 60,
        pngBytes: bytes,
      };
    } finally {
      await target.close();
    }
  } finally {
    await setup.end();
    const cleanup = new pg.Client({ connectionString: baseUrl });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${database} with (force)`);
    await cleanup.end();
  }
  results.measuredAt = new Date().toISOString();
  // Other work on the machine inflates both figures: record how busy it was.
  results.machine = { cores: cpus().length, loadAverage1m: Math.round(loadavg()[0]! * 100) / 100 };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/advisor.json', `${JSON.stringify(results, null, 2)}\n`);
  const advice = results.advice as { queries: number; seconds: number; recommended: number; verifiedCandidates: number; candidates: number; whatIfExplains: number };
  const diagram = results.planDiagram as { nodes: number; medianMs: number; p95Ms: number; cpuMsPerRender: number };
  console.log(`advice: ${advice.queries} queries over ${tables} tables in ${advice.seconds} s (target ≤ 15 s); ${advice.recommended} indexes from ${advice.verifiedCandidates}/${advice.candidates} verified candidates, ${advice.whatIfExplains} what-if EXPLAINs`);
  console.log(`plan diagram: ${diagram.nodes} nodes, median ${diagram.medianMs} ms, p95 ${diagram.p95Ms} ms, ${diagram.cpuMsPerRender} ms CPU per render (target ≤ 60 ms)`);
  console.log(`machine: ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)} at the end`);
}

main().catch((error: unknown) => {
  console.error(`bench:advisor failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
