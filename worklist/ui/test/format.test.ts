import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byDispatchOrder, byUrgency, formatCountdown, formatDuration, patientSummary, slaClass } from '../src/format';
import type { Task } from '../src/types';

const task = (over: Partial<Task>): Task => ({ id: 't', state: 'queued', priority: 'ROUTINE', site: 'DEMO', ...over });

test('countdown shows minutes and seconds, hours when needed, and overdue with a minus', () => {
  assert.equal(formatCountdown(65_000), '1:05');
  assert.equal(formatCountdown(3_723_000), '1:02:03');
  assert.equal(formatCountdown(-150_000), '-2:30');
  assert.equal(formatCountdown(999), '0:00');
  assert.equal(formatCountdown(null), '—');
});

test('durations read as seconds, minutes or hours', () => {
  assert.equal(formatDuration(12_400), '12 s');
  assert.equal(formatDuration(25 * 60_000), '25 min');
  assert.equal(formatDuration(90 * 60_000), '1.5 h');
  assert.equal(formatDuration(null), '—');
});

test('STAT comes first, then the earliest due, then the oldest', () => {
  const tasks = [
    task({ id: 'routine-soon', priority: 'ROUTINE', due_ms: 1 }),
    task({ id: 'stat-late', priority: 'STAT', due_ms: 900 }),
    task({ id: 'stat-soon', priority: 'STAT', due_ms: 100 }),
    task({ id: 'urgent', priority: 'URGENT', due_ms: 50 }),
  ];
  assert.deepEqual(tasks.sort(byUrgency).map((t) => t.id), ['stat-soon', 'stat-late', 'urgent', 'routine-soon']);
});

test('the dispatcher sees escalated, then unassigned, then the rest', () => {
  const tasks = [
    task({ id: 'assigned-stat', priority: 'STAT', assigned_reader: 'r1' }),
    task({ id: 'unassigned-routine', priority: 'ROUTINE' }),
    task({ id: 'escalated-routine', priority: 'ROUTINE', assigned_reader: 'r2', state: 'escalated' }),
  ];
  assert.deepEqual(tasks.sort(byDispatchOrder).map((t) => t.id), ['escalated-routine', 'unassigned-routine', 'assigned-stat']);
});

test('SLA colour: breached when due, warning in the last fifth or 5 minutes', () => {
  const t = task({ times: { created_ms: 0 }, due_ms: 100 * 60_000 });
  assert.equal(slaClass(t, 10 * 60_000), 'sla-ok');
  assert.equal(slaClass(t, 81 * 60_000), 'sla-warning');
  assert.equal(slaClass(t, 100 * 60_000), 'sla-breached');
  assert.equal(slaClass(task({}), 0), 'sla-none');
});

test('the engine\'s warning time and breach flag win over the page\'s own estimate', () => {
  const t = task({ times: { created_ms: 0 }, due_ms: 100 * 60_000, sla: { warn_at_ms: 50 * 60_000 } });
  assert.equal(slaClass(t, 49 * 60_000), 'sla-ok');
  assert.equal(slaClass(t, 50 * 60_000), 'sla-warning');
  assert.equal(slaClass({ ...t, sla: { breached: true } }, 0), 'sla-breached');
});

test('patient summary reads the HL7 name, age and sex; a dash when hidden', () => {
  assert.equal(patientSummary(task({ patient: { name: 'DOE^JANE', age: '67Y', sex: 'F' } })), 'DOE, JANE · 67Y F');
  assert.equal(patientSummary(task({})), '—');
});
