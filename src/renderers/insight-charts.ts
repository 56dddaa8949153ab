/** vega-lite specs for the insights replies: index usage and connection states. */
import type { TopLevelSpec } from 'vega-lite';

export interface IndexUsageDatum {
  index: string;
  bytes: number;
  scans: number;
}

/** Index sizes as bars, coloured by whether the index was ever scanned: unused weight stands out. */
export function indexUsageSpec(indexes: IndexUsageDatum[], title = 'Index size and usage'): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 560,
    height: { step: 22 },
    data: { values: indexes.map((i) => ({ ...i, usage: i.scans === 0 ? 'never scanned' : 'scanned' })) },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'index', type: 'nominal', sort: { field: 'bytes', order: 'descending' }, title: null, axis: { labelLimit: 260 } },
      x: { field: 'bytes', type: 'quantitative', title: 'bytes', axis: { format: '.2~s' } },
      color: {
        field: 'usage',
        type: 'nominal',
        title: null,
        scale: { domain: ['scanned', 'never scanned'], range: ['#336791', '#d9534f'] },
        legend: { orient: 'bottom' },
      },
    },
  };
}

export interface ConnectionStateDatum {
  state: string;
  sessions: number;
}

/** Client sessions per state against the connection limit. */
export function connectionStatesSpec(states: ConnectionStateDatum[], maxConnections: number): TopLevelSpec {
  const used = states.reduce((sum, s) => sum + s.sessions, 0);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Connections by state (${used} of max_connections ${maxConnections})`,
    width: 480,
    height: { step: 26 },
    data: { values: states },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'state', type: 'nominal', sort: '-x', title: null },
      x: { field: 'sessions', type: 'quantitative', title: 'sessions', axis: { tickMinStep: 1, format: 'd' } },
      color: {
        field: 'state',
        type: 'nominal',
        legend: null,
        scale: {
          domain: ['active', 'idle', 'idle in transaction', 'idle in transaction (aborted)', 'fastpath function call', 'disabled', 'unknown'],
          range: ['#2e7d32', '#9e9e9e', '#f0ad4e', '#d9534f', '#5bc0de', '#777777', '#bbbbbb'],
        },
      },
    },
  };
}
