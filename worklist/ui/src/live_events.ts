// Live updates from GET /api/v1/events (Server-Sent Events). Read with fetch rather than
// EventSource so that the session token travels in the Authorization header (EventSource
// cannot set headers, and a token in the URL would end up in logs). Reconnects with backoff
// and Last-Event-ID, and reports whether it is connected so the page can say so.

import { authHeaders } from './api';

export interface LiveEvent {
  type: string; // the SSE "event:" field; "message" when absent
  id?: string;
  data: any; // parsed JSON, or the raw text when it is not JSON
}

export type ConnectionState = 'connecting' | 'live' | 'down';

export interface LiveOptions {
  onEvent: (event: LiveEvent) => void;
  onState: (state: ConnectionState) => void;
  onOpen?: () => void; // after each (re)connection: reload what may have been missed
}

const kMaxBackoffMs = 10_000;

// Splits an SSE byte stream into events (the WHATWG "event stream" format, simplified to
// what servers send: event, data, id; comments ignored).
export class SseParser {
  private buffer = '';
  private type = '';
  private data: string[] = [];
  private id: string | undefined;

  constructor(private emit: (event: LiveEvent) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + width);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.type = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id') this.id = value;
  }

  private dispatch(): void {
    if (this.data.length === 0) {
      this.type = '';
      return;
    }
    const text = this.data.join('\n');
    let data: any = text;
    try {
      data = JSON.parse(text);
    } catch {
      // not JSON: hand over the text
    }
    this.emit({ type: this.type || 'message', id: this.id, data });
    this.type = '';
    this.data = [];
  }

  lastId(): string | undefined {
    return this.id;
  }
}

// Runs until the returned function is called.
export function subscribeLive(options: LiveOptions): () => void {
  let stopped = false;
  let controller: AbortController | null = null;
  let backoff = 500;
  let lastId: string | undefined;

  const run = async () => {
    while (!stopped) {
      options.onState('connecting');
      controller = new AbortController();
      try {
        const headers: Record<string, string> = { Accept: 'text/event-stream', ...authHeaders() };
        if (lastId) headers['Last-Event-ID'] = lastId;
        const response = await fetch('/api/v1/events', { headers, signal: controller.signal, cache: 'no-store' });
        if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`);
        options.onState('live');
        options.onOpen?.();
        backoff = 500;
        const parser = new SseParser(options.onEvent);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.push(value);
          lastId = parser.lastId() ?? lastId;
        }
      } catch {
        // connection refused, dropped or aborted: retry below unless stopped
      }
      if (stopped) break;
      options.onState('down');
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(backoff * 2, kMaxBackoffMs);
    }
  };
  void run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
