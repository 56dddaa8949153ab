/** vega-lite specs for the log-summary reply: top statements, calls & latency per minute, errors by class. */
import type { TopLevelSpec } from 'vega-lite';
import type { ErrorStats, MinutePoint, QueryStats } from '../engine/logs/analysis-types.js';
import { horizontalBarSpec } from './chart-specs.js';

function label(query: string, width = 60): string {
  const flat = query.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

/** Horizontal bars: the statements that cost the most time in total. */
export function topStatementsSpec(queries: QueryStats[], limit = 10): TopLevelSpec {
  const data = queries.slice(0, limit).map((q, i) => ({ label: `${i + 1}. ${label(q.query)}`, value: q.total_ms }));
  return horizontalBarSpec(data, { title: 'Top statements by total time', valueTitle: 'total time (ms)', valueFormat: '~s', width: 480 });
}

/** Calls per minute as bars, mean latency per minute as a line on its own axis. */
export function callsAndLatencySpec(points: MinutePoint[]): TopLevelSpec {
  const data = points.map((p) => ({ minute: p.minute, calls: p.calls, mean_ms: p.calls > 0 ? p.total_ms / p.calls : null, errors: p.errors }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Statements and mean latency per minute',
    width: 640,
    height: 260,
    data: { values: data },
    // Minutes are UTC in the data; a minute time unit gives the bars their width.
    encoding: { x: { field: 'minute', type: 'temporal', timeUnit: 'utcyearmonthdatehoursminutes', title: 'time (UTC)', axis: { format: '%H:%M' } } },
    layer: [
      { mark: { type: 'bar', color: '#336791', opacity: 0.7 }, encoding: { y: { field: 'calls', type: 'quantitative', title: 'calls per minute' } } },
      {
        mark: { type: 'line', color: '#e4572e', point: points.length < 60 },
        encoding: { y: { field: 'mean_ms', type: 'quantitative', title: 'mean latency (ms)', axis: { titleColor: '#e4572e' } } },
      },
    ],
    resolve: { scale: { y: 'independent' } },
  };
}

/** Errors grouped by SQLSTATE class (or "unknown" when the log has no %e). */
export function errorsByClassSpec(errors: ErrorStats[]): TopLevelSpec {
  const byClass = new Map<string, number>();
  for (const e of errors) byClass.set(`${e.severity} · ${e.class}`, (byClass.get(`${e.severity} · ${e.class}`) ?? 0) + e.count);
  const data = [...byClass.entries()].map(([name, count]) => ({ label: name, value: count }));
  return horizontalBarSpec(data, { title: 'Errors by class', valueTitle: 'count', valueFormat: ',d', width: 420 });
}
