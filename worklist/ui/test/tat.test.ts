import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentile, tatRows, turnaround } from '../src/tat';
import type { Task } from '../src/types';

const min = 60_000;
const done = (id: string, over: Partial<Task>, times: Record<string, number>): Task => ({
  id, state: 'delivered', priority: 'STAT', site: 'NORTH', modality: 'CT', ...over, times,
});

test('TAT starts at study complete or the order, whichever is later, and ends at delivery', () => {
  assert.deepEqual(turnaround(done('a', {}, { ordered_ms: 10, study_complete_ms: 5, final_ms: 50, delivered_ms: 60 })), { start: 10, end: 60 });
  assert.deepEqual(turnaround(done('b', {}, { study_complete_ms: 5, final_ms: 50 })), { start: 5, end: 50 });
  assert.equal(turnaround(done('c', { state: 'claimed' }, { study_complete_ms: 5 })), null);
});

test('nearest-rank percentiles', () => {
  const v = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(v, 50), 50);
  assert.equal(percentile(v, 90), 90);
  assert.equal(percentile(v, 99), 99);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([], 50), null);
});

test('rows per group over the range, with SLA compliance against each task\'s due time', () => {
  const tasks = [
    done('1', { due_ms: 30 * min }, { study_complete_ms: 0, delivered_ms: 20 * min }),
    done('2', { due_ms: 30 * min }, { study_complete_ms: 0, delivered_ms: 40 * min }),
    done('3', { site: 'SOUTH', due_ms: 100 * min }, { study_complete_ms: 0, delivered_ms: 10 * min }),
    done('old', { due_ms: 1 }, { study_complete_ms: 0, delivered_ms: 500 * min }),
  ];
  const rows = tatRows(tasks, 'site', 0, 100 * min);
  assert.deepEqual(rows.map((r) => [r.key, r.count, r.p50_ms, r.p99_ms, r.sla_met]), [
    ['NORTH', 2, 20 * min, 40 * min, 0.5],
    ['SOUTH', 1, 10 * min, 10 * min, 1],
  ]);
});
