// A small horizontal bar chart in SVG (no chart library): one row per group, one bar per
// series, a shared scale, values printed at the bar's end so the chart reads without a legend
// lookup. Optional `limit` draws a vertical line (an SLA target).
export interface Series {
  name: string;
  cls: string; // CSS class giving the colour
  values: (number | null)[];
}

export interface BarChartProps {
  title: string;
  labels: string[];
  series: Series[];
  format: (v: number) => string;
  max?: number;
}

const kRowHeight = 17;
const kGroupGap = 10;
const kLabelWidth = 130;
const kValueWidth = 110;
const kWidth = 640;

export function BarChart({ title, labels, series, format, max }: BarChartProps) {
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const top = max ?? Math.max(1, ...all);
  const groupHeight = series.length * kRowHeight + kGroupGap;
  const height = Math.max(groupHeight * labels.length, 20);
  const plot = kWidth - kLabelWidth - kValueWidth;
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${kWidth} ${height}`} width="100%" role="img" aria-label={title}>
        {labels.map((label, g) => (
          <g key={label} transform={`translate(0 ${g * groupHeight})`}>
            <text class="chart-label" x={kLabelWidth - 8} y={(series.length * kRowHeight) / 2 + 4} text-anchor="end">
              {label}
            </text>
            {series.map((s, i) => {
              const v = s.values[g];
              const w = v === null ? 0 : Math.max(1, (Math.min(v, top) / top) * plot);
              return (
                <g key={s.name}>
                  <rect class={`bar ${s.cls}`} x={kLabelWidth} y={i * kRowHeight + 1} width={w} height={kRowHeight - 3}>
                    <title>{`${label} ${s.name}: ${v === null ? '—' : format(v)}`}</title>
                  </rect>
                  <text class="chart-value" x={kLabelWidth + w + 4} y={i * kRowHeight + kRowHeight - 3}>
                    {v === null ? '—' : `${s.name} ${format(v)}`}
                  </text>
                </g>
              );
            })}
          </g>
        ))}
      </svg>
    </figure>
  );
}
