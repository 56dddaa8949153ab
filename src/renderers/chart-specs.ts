/** Ready-made vega-lite specs for the charts pgdba posts most often. */
import type { TopLevelSpec } from 'vega-lite';

export interface BarDatum {
  label: string;
  value: number;
  /** Optional second series (stacked), e.g. index size next to table size. */
  group?: string;
}

export interface HorizontalBarOptions {
  title: string;
  valueTitle: string;
  /** vega format for axis labels and tooltips, e.g. ",.0f" or ".2s". */
  valueFormat?: string;
  width?: number;
}

/** Horizontal bars sorted by value, labels on the left: readable for long table names. */
export function horizontalBarSpec(data: BarDatum[], options: HorizontalBarOptions): TopLevelSpec {
  const grouped = data.some((d) => d.group !== undefined);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width: options.width ?? 560,
    height: { step: 22 },
    data: { values: data },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: { op: 'sum', field: 'value', order: 'descending' }, title: null, axis: { labelLimit: 260 } },
      x: { field: 'value', type: 'quantitative', title: options.valueTitle, axis: { format: options.valueFormat ?? '~s' } },
      ...(grouped
        ? { color: { field: 'group', type: 'nominal', title: null, legend: { orient: 'bottom' } } }
        : { color: { value: '#336791' } }),
    },
  };
}
