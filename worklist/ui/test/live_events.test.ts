import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseParser, type LiveEvent } from '../src/live_events';

test('events split across chunks come out whole, JSON parsed, ids kept', () => {
  const events: LiveEvent[] = [];
  const parser = new SseParser((e) => events.push(e));
  parser.push('event: task.created\nid: 7\nda');
  parser.push('ta: {"task": {"id": "t1", "state": "queued"}}\n');
  assert.equal(events.length, 0, 'nothing before the blank line');
  parser.push('\n');
  assert.equal(events.length, 1);
  assert.equal(events[0].type, 'task.created');
  assert.equal(events[0].id, '7');
  assert.equal(events[0].data.task.id, 't1');
  assert.equal(parser.lastId(), '7');
});

test('comments (keep-alives) are ignored; CRLF works; plain text data stays text', () => {
  const events: LiveEvent[] = [];
  const parser = new SseParser((e) => events.push(e));
  parser.push(': keep-alive\r\n\r\ndata: hello\r\ndata: world\r\n\r\n');
  assert.equal(events.length, 1);
  assert.equal(events[0].type, 'message');
  assert.equal(events[0].data, 'hello\nworld');
});
