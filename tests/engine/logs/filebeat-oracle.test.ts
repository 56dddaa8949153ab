/**
 * The elastic/beats filebeat PostgreSQL module ships expected parse results for its test logs:
 * every record the readers produce must carry the same time, severity, process, user, database,
 * duration and query as filebeat's event at the same position.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLogRecords } from '../../../src/engine/logs/index.js';
import { corpus } from './corpus.js';

interface FilebeatEvent {
  '@timestamp': string;
  'log.level'?: string;
  'process.pid'?: number | string;
  'user.name'?: string;
  'postgresql.log.database'?: string;
  'event.duration'?: number;
  'postgresql.log.query'?: string;
  'postgresql.log.timestamp'?: string;
}

const files = [
  'postgresql-10-default.log',
  'postgresql-10-min-duration-statement.log',
  'postgresql-11-autovacuum.csv.log',
  'postgresql-11-duration.csv.log',
  'postgresql-11-ipv6.csv.log',
  'postgresql-11-multi-line.csv.log',
  'postgresql-11-parse-bind.csv.log',
  'postgresql-11-start-stop.csv.log',
  'postgresql-11-tempfile.csv.log',
  'postgresql-12-default.log',
  'postgresql-12-min-duration-statement.log',
  'postgresql-13-default.log',
  'postgresql-13-error-code.csv.log',
  'postgresql-9.6-multi-core.log',
  'postgresql-9.6-new-timestamp.log',
  'postgresql-query-steps-slowlog.log',
];

/**
 * Where filebeat is wrong, by how much: it reads "EST" in July as New York time (EDT, -4 h),
 * but PostgreSQL prints EST only for a fixed -5 h zone (in July a DST zone prints EDT).
 */
const filebeatTimeErrorMs = (rawTimestamp: string | undefined) => (rawTimestamp !== undefined && / EST$/.test(rawTimestamp) ? 3_600_000 : 0);

/** filebeat turns "[unknown]" into "unknown". */
const unbracket = (value: string | undefined) => (value === '[unknown]' ? 'unknown' : value);

describe('records match the filebeat expected results', () => {
  it.each(files)('%s', async (file) => {
    const path = join(corpus, 'elastic-beats-filebeat', file);
    const expected = JSON.parse(readFileSync(`${path}-expected.json`, 'utf8')) as FilebeatEvent[];
    const { records, unparsed } = await readLogRecords(path);
    expect(unparsed).toBe(0);
    const ours = records.map((r) => {
      const durationMatch = /^duration: (\d+\.\d+) ms/.exec(r.message);
      const queryMatch = /^(?:duration: \S+ ms {1,2})?(?:statement|execute [^:]+|parse [^:]+|bind [^:]+): ([\s\S]*)$/.exec(r.message);
      return {
        time: new Date(r.time).toISOString(),
        level: r.severity,
        pid: String(r.pid),
        user: unbracket(r.user),
        database: unbracket(r.database),
        durationMs: durationMatch ? Number(durationMatch[1]) : undefined,
        query: queryMatch ? queryMatch[1] : r.statement,
      };
    });
    const theirs = expected.map((e) => ({
      time: new Date(Date.parse(e['@timestamp']) + filebeatTimeErrorMs(e['postgresql.log.timestamp'])).toISOString(),
      level: e['log.level'],
      pid: e['process.pid'] === undefined ? undefined : String(e['process.pid']),
      user: e['user.name'],
      database: e['postgresql.log.database'],
      // filebeat computes nanoseconds in floating point (2474.307 ms -> 2474306816 ns): round to µs.
      durationMs: e['event.duration'] === undefined ? undefined : Math.round(e['event.duration'] / 1000) / 1000,
      // filebeat keeps the tab PostgreSQL puts before continuation lines; the readers remove it.
      query: e['postgresql.log.query']?.replace(/\n\t/g, '\n'),
    }));
    expect(ours.length).toBe(theirs.length);
    for (let i = 0; i < theirs.length; i += 1) {
      const t = theirs[i]!;
      const o = ours[i]!;
      expect({ time: o.time, level: o.level }).toEqual({ time: t.time, level: t.level });
      if (t.pid !== undefined) expect(o.pid).toBe(t.pid);
      if (t.user !== undefined) expect(o.user).toBe(t.user);
      if (t.database !== undefined) expect(o.database).toBe(t.database);
      if (t.durationMs !== undefined) expect(o.durationMs).toBe(t.durationMs);
      if (t.query !== undefined) expect(o.query?.trim()).toBe(t.query.trim());
    }
  });
});
