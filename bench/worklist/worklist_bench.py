#!/usr/bin/env python3
"""The worklist benchmark of issue 5 (standard library only).

Starts `sundial serve` with a generated configuration (sites, 500 readers, free ports, a temporary
data folder, the embedded Redis), creates 20,000 open tasks through POST /api/v1/tasks,
heartbeats the readers, then measures:
  query       GET /api/v1/tasks with typical filters (a reader's tasks, a site, a priority, the
              default list with limit 200): p50/p90/p99 per kind and overall
  claim       claims of distinct queued tasks by readers on an open-loop schedule at a fixed rate
              (default 200/s) over several connections: p50/p99 from send and from the scheduled
              time (the latter counts waiting behind a slow request), achieved rate
  visibility  N SSE clients on GET /api/v1/events; task changes (claims) at a steady rate; from the
              change request's send time to the event's arrival at each client: p50/p99
              (also reported for the claims of the claim phase, i.e. under 200 changes/s)
Prints a table, writes JSON into --out, stops what it started by its PID.

Targets (issue 5): query p99 < 20 ms, claim p99 < 10 ms at 200/s, change visible p99 < 200 ms.
"""

import argparse
import hashlib
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
PRIORITIES = [("STAT", 0.05), ("URGENT", 0.15), ("ROUTINE", 0.80)]
MODALITIES = ["CT", "MR", "CR", "DX", "US"]
KIND_LABELS = {"reader": "/api/v1/tasks?reader=<one of 500>", "site": "/api/v1/tasks?site=<one of 10>",
               "priority": "/api/v1/tasks?priority=STAT|URGENT|ROUTINE", "default": "/api/v1/tasks?limit=200"}
TARGETS = {"query_p99_ms": 20.0, "claim_p99_ms": 10.0, "visibility_p99_ms": 200.0}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values, p):
    """Nearest-rank percentile."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def summary(values_ms):
    return {"count": len(values_ms), "p50_ms": pct(values_ms, 50), "p90_ms": pct(values_ms, 90),
            "p99_ms": pct(values_ms, 99), "max_ms": max(values_ms) if values_ms else None,
            "mean_ms": sum(values_ms) / len(values_ms) if values_ms else None}


def proc_stats(pid):
    """CPU seconds (user+system) and RSS of a process, from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        tick = os.sysconf("SC_CLK_TCK")
        cpu = (int(fields[11]) + int(fields[12])) / tick
        rss = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        return {"cpu_s": cpu, "rss_bytes": rss}
    except (OSError, IndexError, ValueError):
        return {}


def descendants(pid):
    """PIDs of the process's children (the embedded redis-server), from /proc."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid:
            out.append(int(entry))
    return out


class Api:
    """One keep-alive HTTP connection (one per thread)."""

    def __init__(self, port, token, timeout=30):
        self.port, self.token, self.timeout = port, token, timeout
        self.conn = None

    def _connect(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def call(self, method, path, body=None):
        """Returns (status, parsed body, seconds from send to the last byte read)."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in (0, 1):
            if self.conn is None:
                self._connect()
            try:
                t0 = time.monotonic()
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                elapsed = time.monotonic() - t0
                if resp.getheader("Connection", "").lower() == "close":
                    self.close()
                break
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt:
                    raise
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return resp.status, parsed, elapsed, len(raw)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class SseClient(threading.Thread):
    """One client of GET /api/v1/events: records the arrival time of each task event."""

    def __init__(self, port, token, index):
        super().__init__(daemon=True, name=f"sse-{index}")
        self.port, self.token = port, token
        self.arrivals = {}  # (event type, task id) -> monotonic time of the first arrival
        self.connected = threading.Event()
        self.stopping = False
        self.events = 0
        self.error = None
        self.lock = threading.Lock()

    def run(self):
        try:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3600)
            headers = {"Accept": "text/event-stream"}
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
            self.conn.request("GET", "/api/v1/events", headers=headers)
            resp = self.conn.getresponse()
            if resp.status != 200:
                raise RuntimeError(f"events: HTTP {resp.status}")
            data = []
            while not self.stopping:
                line = resp.readline()
                now = time.monotonic()
                if not line:
                    break
                line = line.rstrip(b"\r\n")
                if line.startswith(b": connected"):
                    self.connected.set()
                elif line.startswith(b"data:"):
                    data.append(line[5:].strip())
                elif not line and data:
                    self._event(b"\n".join(data), now)
                    data = []
        except Exception as e:  # noqa: BLE001 - reported in the results
            if not self.stopping:
                self.error = repr(e)
        finally:
            self.connected.set()

    def _event(self, payload, now):
        try:
            body = json.loads(payload)
            key = (body["event"]["type"], body["task"]["id"])
        except (ValueError, KeyError, TypeError):
            return
        with self.lock:
            self.events += 1
            self.arrivals.setdefault(key, now)

    def stop(self):
        self.stopping = True
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass


def write_config(work, args, token_sha):
    sites = [f"SITE{i}" for i in range(1, args.sites + 1)]
    zones = ["America/Chicago", "America/New_York", "America/Denver", "America/Los_Angeles"]
    states = ["TX", "NY", "CO", "CA"]
    lines = [
        "node:",
        "  ae_title: SUNDIAL",
        f"  dicom_port: {free_port()}",
        f"  http_port: {args.http_port}",
        f"  data_dir: {os.path.join(work, 'data')}",
        'redis:\n  address: ""',
        "spool:\n  min_free_bytes: 0",
        "destinations:",
        "  - {name: ARCHIVE, ae_title: ARCHIVE, host: 127.0.0.1, port: 9, mode: on_completion}",
        "  - {name: WS, ae_title: WS, host: 127.0.0.1, port: 9, mode: streaming}",
        "sites:",
    ]
    for i, s in enumerate(sites):
        lines += [f"  - name: {s}", f"    time_zone: {zones[i % 4]}", f"    state: {states[i % 4]}",
                  "    callers:", f"      - {{ae_title: MOD{i + 1}, addresses: [127.0.0.1]}}",
                  "    destinations: [ARCHIVE]"]
    lines += ["rules:", "  pools: [{name: bench, mode: pull}]", "readers:"]
    for r in range(args.readers):
        creds = ", ".join(sites)
        lines.append(f"  - {{id: r{r:03d}, name: Reader {r}, licences: [{', '.join(states)}], "
                     f"credentials: [{creds}], modalities: [{', '.join(MODALITIES)}], "
                     f"time_zone: America/Chicago, destination: WS, pools: [bench]}}")
    lines += ["worklist:",
              "  claim_lease_ms: 3600000",
              "  sla: {stat_minutes: 30, urgent_minutes: 120, routine_minutes: 1440, warn_at: 0.75}",
              "  rvu: {default: 1.0, by_modality: {CT: 1.5, MR: 2.0}}"]
    if token_sha:
        lines += ["security:", f"  api_tokens: [{{name: bench, token_sha256: {token_sha}, roles: [admin]}}]"]
    path = os.path.join(work, "sundial.yaml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path, sites


def binary_has_security(binary):
    """Whether this build knows `security: api_tokens:` (then every /api/v1 call needs a token)."""
    try:
        with open(binary, "rb") as f:
            return b"api_tokens" in f.read()
    except OSError:
        return False


def run_pool(n_threads, n_items, work_fn, port, token):
    """Runs work_fn(api, index) for index in range(n_items) over n_threads keep-alive connections."""
    counter = iter(range(n_items))
    lock = threading.Lock()
    errors = []

    def worker():
        api = Api(port, token)
        try:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                try:
                    work_fn(api, i)
                except Exception as e:  # noqa: BLE001
                    errors.append(repr(e))
        finally:
            api.close()

    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.environ.get("SUNDIAL_BINARY", os.path.join(ROOT, "build", "sundial")))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", time.strftime("%Y-%m-%d", time.gmtime()),
                                                  "worklist"))
    ap.add_argument("--label", default="", help="suffix of the JSON file name (e.g. run1)")
    ap.add_argument("--readers", type=int, default=500)
    ap.add_argument("--sites", type=int, default=10)
    ap.add_argument("--tasks", type=int, default=20000)
    ap.add_argument("--queued-share", type=float, default=0.5, help="share of tasks in the pool (claimable)")
    ap.add_argument("--create-conns", type=int, default=4)
    ap.add_argument("--queries", type=int, default=2400)
    ap.add_argument("--query-conns", type=int, default=2)
    ap.add_argument("--claim-rate", type=float, default=200.0)
    ap.add_argument("--claim-seconds", type=float, default=15.0)
    ap.add_argument("--claim-conns", type=int, default=8)
    ap.add_argument("--sse-clients", type=int, default=20)
    ap.add_argument("--change-rate", type=float, default=20.0)
    ap.add_argument("--change-seconds", type=float, default=15.0)
    ap.add_argument("--heartbeat-interval", type=float, default=30.0,
                    help="each reader heartbeats this often in the background during the measurements (0: off)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args()
    args.http_port = free_port()
    random.seed(20261130)

    token = token_sha = None
    if binary_has_security(args.binary):
        token = secrets.token_hex(24)
        token_sha = hashlib.sha256(token.encode()).hexdigest()

    work = tempfile.mkdtemp(prefix="sundial-wlbench-", dir="/var/tmp")
    config_path, sites = write_config(work, args, token_sha)
    readers = [f"r{r:03d}" for r in range(args.readers)]
    log = open(os.path.join(work, "sundial.log"), "ab")
    proc = subprocess.Popen([args.binary, "serve", "--config", config_path], stdout=log, stderr=subprocess.STDOUT,
                            cwd=work, start_new_session=True)
    result = {"benchmark": "worklist", "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "binary": args.binary, "nproc": os.cpu_count(), "security_token": bool(token),
              "params": {k: v for k, v in vars(args).items() if k not in ("http_port",)},
              "targets": TARGETS, "load_avg": {"start": os.getloadavg()}}
    sse = []
    stop_bg = threading.Event()
    bg = []
    redis_pids = []
    try:
        api = Api(args.http_port, token)
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError("sundial exited at start; log: " + open(log.name, errors="replace").read()[-3000:])
            try:
                status, _, _, _ = api.call("GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("sundial did not become healthy in 60 s")
            time.sleep(0.2)
        redis_pids = descendants(proc.pid)

        # --- 1. 20,000 open tasks -----------------------------------------------------------------
        plan = []
        for i in range(args.tasks):
            r = random.random()
            prio = "STAT" if r < 0.05 else ("URGENT" if r < 0.20 else "ROUTINE")
            body = {"study_uids": [f"1.2.826.0.1.3680043.99.{i + 1}"], "site": sites[i % len(sites)],
                    "modality": MODALITIES[i % len(MODALITIES)], "priority": prio, "pool": "bench",
                    "order": {"accession_number": f"ACC{i + 1:06d}", "procedure_code": "CTHEAD",
                              "procedure_text": "CT head", "reason_for_exam": "bench"},
                    "patient": {"name": f"BENCH^P{i}", "patient_id": f"MRN{i:06d}", "age": "60Y", "sex": "F"}}
            if random.random() >= args.queued_share:
                body["reader"] = readers[i % len(readers)]
            plan.append(body)
        created = [None] * args.tasks
        create_lat = []

        def create(a, i):
            status, body, el, _ = a.call("POST", "/api/v1/tasks", plan[i])
            if status != 201:
                raise RuntimeError(f"create {i}: HTTP {status} {body}")
            created[i] = (body["id"], body["state"])
            create_lat.append(el * 1000)

        print(f"creating {args.tasks} tasks over {args.create_conns} connections ...", file=sys.stderr, flush=True)
        t0 = time.monotonic()
        errors = run_pool(args.create_conns, args.tasks, create, args.http_port, token)
        create_s = time.monotonic() - t0
        if errors:
            raise RuntimeError(f"{len(errors)} creates failed, first: {errors[0]}")
        queued = [tid for tid, state in created if state == "queued"]
        random.shuffle(queued)
        result["create"] = {"tasks": args.tasks, "seconds": create_s, "per_second": args.tasks / create_s,
                            "queued": len(queued), "assigned": args.tasks - len(queued), **summary(create_lat)}

        hb_lat = []

        def heartbeat(a, i):
            status, body, el, _ = a.call("POST", f"/api/v1/readers/{readers[i]}/heartbeat")
            if status != 200:
                raise RuntimeError(f"heartbeat {readers[i]}: HTTP {status} {body}")
            hb_lat.append(el * 1000)

        t0 = time.monotonic()
        errors = run_pool(args.create_conns, len(readers), heartbeat, args.http_port, token)
        if errors:
            raise RuntimeError(f"{len(errors)} heartbeats failed, first: {errors[0]}")
        result["heartbeat"] = {"readers": len(readers), "seconds": time.monotonic() - t0, **summary(hb_lat)}
        status, board, _, _ = api.call("GET", "/api/v1/readers")
        result["readers_online"] = sum(1 for r in board["readers"] if r["online"]) if status == 200 else None
        status, listing, _, _ = api.call("GET", "/api/v1/tasks?limit=1000")
        result["sundial_after_setup"] = proc_stats(proc.pid)
        result["load_avg"]["after_setup"] = os.getloadavg()

        # Background: every reader heartbeats every --heartbeat-interval seconds (one connection).
        if args.heartbeat_interval > 0:
            def background_heartbeats():
                a = Api(args.http_port, token)
                gap = args.heartbeat_interval / len(readers)
                i = 0
                nxt = time.monotonic()
                while not stop_bg.is_set():
                    try:
                        a.call("POST", f"/api/v1/readers/{readers[i % len(readers)]}/heartbeat")
                    except OSError:
                        pass
                    i += 1
                    nxt += gap
                    stop_bg.wait(max(0.0, nxt - time.monotonic()))
                a.close()
            bg.append(threading.Thread(target=background_heartbeats, daemon=True))
            bg[-1].start()

        # SSE clients stay connected through every measurement.
        for i in range(args.sse_clients):
            c = SseClient(args.http_port, token, i)
            c.start()
            sse.append(c)
        for c in sse:
            c.connected.wait(10)
        result["sse_connected"] = sum(1 for c in sse if c.error is None and c.connected.is_set())

        # --- 2. worklist queries -----------------------------------------------------------------
        kinds = [
            ("reader", lambda i: f"/api/v1/tasks?reader={readers[(i * 7) % len(readers)]}"),
            ("site", lambda i: f"/api/v1/tasks?site={sites[i % len(sites)]}"),
            ("priority", lambda i: "/api/v1/tasks?priority=" + ("STAT", "URGENT", "ROUTINE")[i % 3]),
            ("default", lambda i: "/api/v1/tasks?limit=200"),
        ]
        qlat = {k: [] for k, _ in kinds}
        qsize = {k: [] for k, _ in kinds}
        qcount = {k: [] for k, _ in kinds}

        def query(a, i):
            kind, path = kinds[i % len(kinds)]
            status, body, el, size = a.call("GET", path(i // len(kinds)))
            if status != 200:
                raise RuntimeError(f"query {path(i)}: HTTP {status} {body}")
            qlat[kind].append(el * 1000)
            qsize[kind].append(size)
            qcount[kind].append(len(body["tasks"]))

        print(f"{args.queries} worklist queries over {args.query_conns} connections ...", file=sys.stderr, flush=True)
        la = os.getloadavg()
        t0 = time.monotonic()
        errors = run_pool(args.query_conns, args.queries, query, args.http_port, token)
        qs = time.monotonic() - t0
        if errors:
            raise RuntimeError(f"{len(errors)} queries failed, first: {errors[0]}")
        result["query"] = {"overall": summary([x for v in qlat.values() for x in v]), "seconds": qs,
                           "per_second": args.queries / qs, "connections": args.query_conns,
                           "load_avg_before": la, "load_avg_after": os.getloadavg(), "kinds": {}}
        for k, _ in kinds:
            result["query"]["kinds"][k] = {**summary(qlat[k]), "avg_bytes": sum(qsize[k]) / len(qsize[k]),
                                           "avg_tasks": sum(qcount[k]) / len(qcount[k]),
                                           "path_example": KIND_LABELS[k]}

        # --- 3. claims at a paced rate (open loop) ------------------------------------------------
        n_claims = int(args.claim_rate * args.claim_seconds)
        n_changes = int(args.change_rate * args.change_seconds)
        if n_claims + n_changes > len(queued):
            raise RuntimeError(f"not enough queued tasks ({len(queued)}) for {n_claims} claims + {n_changes} changes")
        claim_ids, change_ids = queued[:n_claims], queued[n_claims:n_claims + n_changes]

        def paced(ids, rate, conns, label):
            """Claims ids[i] at start + i/rate over conns connections; returns per-request records."""
            records = [None] * len(ids)
            counter = iter(range(len(ids)))
            lock = threading.Lock()
            start = time.monotonic() + 0.2

            def worker():
                a = Api(args.http_port, token)
                while True:
                    with lock:
                        i = next(counter, None)
                    if i is None:
                        break
                    due = start + i / rate
                    delay = due - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    reader = readers[(i * 13) % len(readers)]
                    sent = time.monotonic()
                    try:
                        status, body, el, _ = a.call("POST", f"/api/v1/tasks/{ids[i]}/claim", {"reader": reader})
                    except OSError as e:
                        status, body, el = 0, repr(e), time.monotonic() - sent
                    done = time.monotonic()
                    records[i] = {"due": due, "sent": sent, "done": done, "status": status,
                                  "error": None if status == 200 else str(body)[:200]}
                a.close()

            print(f"{label}: {len(ids)} claims at {rate}/s over {conns} connections ...", file=sys.stderr, flush=True)
            threads = [threading.Thread(target=worker) for _ in range(conns)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return records, start

        la = os.getloadavg()
        cpu0 = proc_stats(proc.pid).get("cpu_s")
        recs, start = paced(claim_ids, args.claim_rate, args.claim_conns, "claim")
        cpu1 = proc_stats(proc.pid).get("cpu_s")
        ok = [r for r in recs if r["status"] == 200]
        span = max(r["done"] for r in recs) - start
        result["claim"] = {
            "target_rate": args.claim_rate, "requests": len(recs), "ok": len(ok),
            "failed": len(recs) - len(ok), "first_errors": [r["error"] for r in recs if r["status"] != 200][:3],
            "achieved_rate": len(ok) / span, "connections": args.claim_conns,
            "from_send": summary([(r["done"] - r["sent"]) * 1000 for r in ok]),
            "from_schedule": summary([(r["done"] - r["due"]) * 1000 for r in ok]),
            "send_lag": summary([(r["sent"] - r["due"]) * 1000 for r in recs]),
            "sundial_cpu_share": (cpu1 - cpu0) / span if cpu0 is not None and cpu1 is not None else None,
            "load_avg_before": la, "load_avg_after": os.getloadavg()}
        time.sleep(1.0)  # late events of the claim phase
        vis_claims = []
        missing = 0
        for i, r in enumerate(recs):
            if r["status"] != 200:
                continue
            for c in sse:
                with c.lock:
                    at = c.arrivals.get(("claimed", claim_ids[i]))
                if at is None:
                    missing += 1
                else:
                    vis_claims.append((at - r["sent"]) * 1000)
        result["visibility_under_claim_load"] = {"changes_per_second": args.claim_rate, "clients": len(sse),
                                                 "missing": missing, **summary(vis_claims)}

        # --- 4. change visibility at a steady rate ------------------------------------------------
        la = os.getloadavg()
        recs, _ = paced(change_ids, args.change_rate, 2, "visibility")
        wait_until = time.monotonic() + 5
        vis, missing = [], 0
        while True:
            vis, missing = [], 0
            for i, r in enumerate(recs):
                if r["status"] != 200:
                    continue
                for c in sse:
                    with c.lock:
                        at = c.arrivals.get(("claimed", change_ids[i]))
                    if at is None:
                        missing += 1
                    else:
                        vis.append((at - r["sent"]) * 1000)
            if missing == 0 or time.monotonic() > wait_until:
                break
            time.sleep(0.2)
        result["visibility"] = {"changes_per_second": args.change_rate, "changes": len(recs),
                                "changes_ok": sum(1 for r in recs if r["status"] == 200), "clients": len(sse),
                                "deliveries": len(vis), "missing": missing,
                                "clients_with_errors": [c.error for c in sse if c.error][:3],
                                "change_request": summary([(r["done"] - r["sent"]) * 1000 for r in recs]),
                                "load_avg_before": la, "load_avg_after": os.getloadavg(), **summary(vis)}
        result["sse_events_per_client"] = [c.events for c in sse]
        result["sundial_end"] = proc_stats(proc.pid)
        result["redis_end"] = {pid: proc_stats(pid) for pid in redis_pids}
        result["load_avg"]["end"] = os.getloadavg()
    finally:
        stop_bg.set()
        for c in sse:
            c.stop()
        for t in bg:
            t.join(timeout=5)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        for pid in redis_pids:  # normally stopped by sundial itself
            try:
                os.kill(pid, 0)
                time.sleep(1)
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
        log.close()
        result["sundial_exit_code"] = proc.returncode
        if not args.keep and "visibility" in result:
            shutil.rmtree(work, ignore_errors=True)
        else:
            result["work_folder"] = work

    os.makedirs(args.out, exist_ok=True)
    name = "worklist" + (f"-{args.label}" if args.label else "") + ".json"
    path = os.path.join(args.out, name)
    with open(path, "w") as f:
        json.dump(result, f, indent=1, default=str)
    print_table(result)
    print(f"results: {path}", file=sys.stderr)
    return 0


def print_table(r):
    f = lambda v: "-" if v is None else f"{v:.1f}"  # noqa: E731
    print(f"\nworklist benchmark: {r['params']['readers']} readers, {r['create']['tasks']} open tasks, "
          f"{r['nproc']} CPUs, load avg at start {r['load_avg']['start'][0]:.1f}, end {r['load_avg']['end'][0]:.1f}")
    print(f"set-up: {r['create']['tasks']} tasks created in {r['create']['seconds']:.1f} s "
          f"({r['create']['per_second']:.0f}/s, p50 {f(r['create']['p50_ms'])} ms, p99 {f(r['create']['p99_ms'])} ms); "
          f"{r['readers_online']} readers online")
    print(f"{'measure':44} {'n':>6} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8}  target")
    q = r["query"]
    for k, v in q["kinds"].items():
        print(f"{'query ' + v['path_example'][13:]:44} {v['count']:>6} {f(v['p50_ms']):>8} {f(v['p90_ms']):>8} "
              f"{f(v['p99_ms']):>8}  ({v['avg_tasks']:.0f} tasks, {v['avg_bytes'] / 1024:.0f} KiB)")
    o = q["overall"]
    ok = lambda v, t: "met" if v is not None and v < t else "NOT met"  # noqa: E731
    print(f"{'query, all kinds':44} {o['count']:>6} {f(o['p50_ms']):>8} {f(o['p90_ms']):>8} {f(o['p99_ms']):>8}  "
          f"p99 < 20: {ok(o['p99_ms'], 20)}")
    c = r["claim"]
    for key, label in (("from_send", "claim (send -> answer)"), ("from_schedule", "claim (scheduled -> answer)")):
        v = c[key]
        print(f"{label:44} {v['count']:>6} {f(v['p50_ms']):>8} {f(v['p90_ms']):>8} {f(v['p99_ms']):>8}  "
              f"p99 < 10: {ok(v['p99_ms'], 10)}")
    print(f"{'  claim rate achieved / target, failures':44} {c['achieved_rate']:.1f}/s / {c['target_rate']:.0f}/s, "
          f"{c['failed']} failed")
    for key, label in (("visibility", f"change visible ({r['visibility']['changes_per_second']:.0f}/s)"),
                       ("visibility_under_claim_load",
                        f"change visible ({r['visibility_under_claim_load']['changes_per_second']:.0f}/s claims)")):
        v = r[key]
        print(f"{label:44} {v['count']:>6} {f(v['p50_ms']):>8} {f(v['p90_ms']):>8} {f(v['p99_ms']):>8}  "
              f"p99 < 200: {ok(v['p99_ms'], 200)} ({v['clients']} clients, {v['missing']} missing)")
    print(f"sundial: {r['sundial_end'].get('rss_bytes', 0) / 2**20:.0f} MiB RSS, "
          f"{r['sundial_end'].get('cpu_s', 0):.1f} s CPU")


if __name__ == "__main__":
    sys.exit(main())
