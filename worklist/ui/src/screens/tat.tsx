// The TAT dashboard: p50/p90/p99 turnaround and SLA compliance per site, modality, priority
// or reader over a time range, as charts and as a table (the numbers a manager quotes).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { BarChart } from '../components/bar_chart';
import { formatDuration } from '../format';
import { tatRows, type TatGroup } from '../tat';
import type { Task, TatRow } from '../types';

const kFinishedTaskLimit = 1000;

// The engine's figures when it offers /api/v1/tat; otherwise computed here from the most
// recent finished tasks (said on the screen, since that is a sample, not every read).
// One row of GET /api/v1/tat (docs/api.md): the group's value under its dimension's name,
// the SLA figures, and percentiles per interval ("contractual" is the one a site is promised).
interface EngineTatRow {
  [dimension: string]: unknown;
  tasks: number;
  sla_compliance: number | null;
  intervals?: Record<string, { count: number; p50_ms: number; p90_ms: number; p99_ms: number }>;
}

function fromEngine(row: EngineTatRow, group: TatGroup): TatRow {
  const contractual = row.intervals?.contractual;
  return {
    key: String(row[group] ?? ''),
    count: contractual?.count ?? row.tasks,
    p50_ms: contractual?.p50_ms ?? null,
    p90_ms: contractual?.p90_ms ?? null,
    p99_ms: contractual?.p99_ms ?? null,
    sla_met: typeof row.sla_compliance === 'number' ? row.sla_compliance : null,
  };
}

async function loadFigures(group: TatGroup, from: number, to: number): Promise<{ rows: TatRow[]; sample: number | null }> {
  const query = new URLSearchParams({ group_by: group, from: String(Math.max(0, Math.floor(from))), to: String(Math.floor(to)) });
  try {
    const answer = await api<{ rows?: EngineTatRow[] }>('GET', `/api/v1/tat?${query}`);
    if (Array.isArray(answer?.rows)) return { rows: answer.rows.map((r) => fromEngine(r, group)), sample: null };
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 403)) throw e;
  }
  const finished = await api<{ tasks: Task[] }>(
    'GET', `/api/v1/tasks?state=final,delivered&limit=${kFinishedTaskLimit}`);
  const tasks = finished.tasks ?? [];
  return { rows: tatRows(tasks, group, from, to), sample: tasks.length };
}

const kGroups = ['site', 'modality', 'priority', 'reader'] as const;
const kRanges: [string, number][] = [
  ['last hour', 3_600_000],
  ['last 24 hours', 86_400_000],
  ['last 7 days', 7 * 86_400_000],
  ['last 30 days', 30 * 86_400_000],
];

function percent(v: number): string {
  return `${Math.round(v * 100)}%`;
}

export function TatScreen({ now }: { now: number }) {
  const [group, setGroup] = useState<TatGroup>('site');
  const [rangeMs, setRangeMs] = useState(kRanges[1][1]);
  const [rows, setRows] = useState<TatRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sample, setSample] = useState<number | null>(null);
  // Refresh once a minute (the clock ticks every second; the figures need not).
  const minute = Math.floor(now / 60_000);

  useEffect(() => {
    const to = now + 1;
    loadFigures(group, to - rangeMs, to)
      .then((figures) => {
        setRows(figures.rows);
        setSample(figures.sample);
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, [group, rangeMs, minute]);

  const labels = (rows ?? []).map((r) => r.key);
  return (
    <section class="tat" aria-label="Turnaround">
      <div class="toolbar">
        <label>
          By
          <select value={group} onChange={(e) => setGroup((e.target as HTMLSelectElement).value as TatGroup)}>
            {kGroups.map((g) => <option key={g} value={g}>{g}</option>)}
          </select>
        </label>
        <label>
          Over
          <select value={rangeMs} onChange={(e) => setRangeMs(Number((e.target as HTMLSelectElement).value))}>
            {kRanges.map(([name, ms]) => <option key={ms} value={ms}>{name}</option>)}
          </select>
        </label>
      </div>
      {error ? <p class="error" role="alert">{error}</p> : null}
      {sample !== null ? (
        <p class="muted sample-note">Computed in the page from the {sample} most recent finished reads.</p>
      ) : null}
      {rows && rows.length === 0 ? <p class="empty">No finished reads in this range.</p> : null}
      {rows && rows.length > 0 ? (
        <>
          <div class="charts">
            <BarChart
              title="Turnaround (order or study complete → report delivered)"
              labels={labels}
              format={formatDuration}
              series={[
                { name: 'p50', cls: 'series-p50', values: rows.map((r) => r.p50_ms) },
                { name: 'p90', cls: 'series-p90', values: rows.map((r) => r.p90_ms) },
                { name: 'p99', cls: 'series-p99', values: rows.map((r) => r.p99_ms) },
              ]}
            />
            <BarChart
              title="SLA compliance"
              labels={labels}
              format={percent}
              max={1}
              series={[{ name: 'met', cls: 'series-sla', values: rows.map((r) => r.sla_met) }]}
            />
          </div>
          <table class="tat-table">
            <thead>
              <tr><th>{group}</th><th>reads</th><th>p50</th><th>p90</th><th>p99</th><th>SLA met</th></tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.key}>
                  <th>{r.key}</th>
                  <td>{r.count}</td>
                  <td>{formatDuration(r.p50_ms)}</td>
                  <td>{formatDuration(r.p90_ms)}</td>
                  <td>{formatDuration(r.p99_ms)}</td>
                  <td class={r.sla_met !== null && r.sla_met < 0.9 ? 'sla-breached' : ''}>
                    {r.sla_met === null ? '—' : percent(r.sla_met)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
