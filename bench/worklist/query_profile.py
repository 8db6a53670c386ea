#!/usr/bin/env python3
"""Where a worklist query's time goes, per query shape (issue 5; standard library only).

Starts `sundial serve` like worklist_bench.py (500 readers, 10 sites, 20,000 open tasks, the
embedded Redis) with two API tokens (an admin and reader r007; site viewers may not list tasks), then
runs each query shape the page and the benchmark use, one at a time on one connection, with
Redis's SLOWLOG recording every command. For each shape it prints the client's time (send to
last byte), the Redis time of the commands the query caused (sum of SLOWLOG durations: the
script that reads the tasks, and anything else), the tasks and bytes returned. What is left
(client minus Redis) is the engine's decoding, access checks, JSON and HTTP.

  python3 bench/worklist/query_profile.py [--binary build/sundial] [--repeat 30] [--claims N]
                                         [--shapes none] [--out FILE]
"""

import argparse
import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import worklist_bench as wb  # noqa: E402  (same folder: the start-up and the load are shared)


def token_entry(name, token, roles, extra=""):
    sha = hashlib.sha256(token.encode()).hexdigest()
    return f"    - {{name: {name}, token_sha256: {sha}, roles: [{roles}]{extra}}}"


def add_tokens(config_path, tokens):
    """Replaces the bench's security section with one holding every token we use."""
    with open(config_path) as f:
        text = f.read()
    text = text.split("security:")[0].rstrip("\n") + "\n"
    text += "security:\n  api_tokens:\n" + "\n".join(tokens) + "\n"
    with open(config_path, "w") as f:
        f.write(text)


def redis_cli(sock, *args):
    out = subprocess.run(["redis-cli", "-s", sock, *args], capture_output=True, text=True, check=True)
    return out.stdout


def slowlog_entries(sock):
    """[(command name, microseconds)] since the last reset, oldest first."""
    raw = subprocess.run(["redis-cli", "-s", sock, "--json", "SLOWLOG", "GET", "100000"],
                         capture_output=True, text=True)
    if raw.returncode != 0 or not raw.stdout.strip():
        return None
    entries = json.loads(raw.stdout)
    return [(str(e[3][0]).upper(), int(e[2])) for e in reversed(entries)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(wb.ROOT, "build", "sundial"))
    ap.add_argument("--tasks", type=int, default=20000)
    ap.add_argument("--readers", type=int, default=500)
    ap.add_argument("--sites", type=int, default=10)
    ap.add_argument("--queued-share", type=float, default=0.5)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--claims", type=int, default=0, help="then this many claims, one at a time")
    ap.add_argument("--shapes", default="all", help="'none': skip the query shapes")
    ap.add_argument("--out", default="")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    args.http_port = wb.free_port()
    wb.random.seed(20261130)

    admin, reader = secrets.token_hex(24), secrets.token_hex(24)
    work = tempfile.mkdtemp(prefix="sundial-wlprof-", dir="/var/tmp")
    config_path, sites = wb.write_config(work, args, "unused")
    add_tokens(config_path, [token_entry("bench", admin, "admin"),
                             token_entry("reader7", reader, "reader", ", reader: r007")])
    sock = os.path.join(work, "data", "redis", "redis.sock")
    log = open(os.path.join(work, "sundial.log"), "ab")
    proc = subprocess.Popen([args.binary, "serve", "--config", config_path], stdout=log,
                            stderr=subprocess.STDOUT, cwd=work, start_new_session=True)
    report = {"binary": args.binary, "load_avg_start": os.getloadavg(), "shapes": []}
    try:
        api = wb.Api(args.http_port, admin)
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError("sundial exited at start; see " + log.name)
            try:
                if api.call("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("sundial did not become healthy")
            time.sleep(0.2)

        readers = [f"r{r:03d}" for r in range(args.readers)]
        plan = []
        for i in range(args.tasks):
            r = wb.random.random()
            prio = "STAT" if r < 0.05 else ("URGENT" if r < 0.20 else "ROUTINE")
            body = {"study_uids": [f"1.2.826.0.1.3680043.99.{i + 1}"], "site": sites[i % len(sites)],
                    "modality": wb.MODALITIES[i % len(wb.MODALITIES)], "priority": prio, "pool": "bench",
                    "order": {"accession_number": f"ACC{i + 1:06d}", "procedure_code": "CTHEAD",
                              "procedure_text": "CT head", "reason_for_exam": "bench"},
                    "patient": {"name": f"BENCH^P{i}", "patient_id": f"MRN{i:06d}", "age": "60Y", "sex": "F"}}
            if wb.random.random() >= args.queued_share:
                body["reader"] = readers[i % len(readers)]
            plan.append(body)

        created = [None] * args.tasks

        def create(a, i):
            status, body, _, _ = a.call("POST", "/api/v1/tasks", plan[i])
            if status != 201:
                raise RuntimeError(f"create {i}: HTTP {status} {body}")
            created[i] = (body["id"], body["state"], plan[i].get("reader"))

        print(f"creating {args.tasks} tasks ...", file=sys.stderr, flush=True)
        errors = wb.run_pool(4, args.tasks, create, args.http_port, admin)
        if errors:
            raise RuntimeError(f"{len(errors)} creates failed, first: {errors[0]}")

        soon = int(time.time() * 1000) + 6 * 3600 * 1000
        shapes = [
            ("admin", admin, "/api/v1/tasks"),
            ("admin", admin, "/api/v1/tasks?limit=200"),
            ("admin", admin, "/api/v1/tasks?reader=r007"),
            ("admin", admin, "/api/v1/tasks?site=SITE3"),
            ("admin", admin, "/api/v1/tasks?priority=STAT"),
            ("admin", admin, "/api/v1/tasks?priority=ROUTINE"),
            ("admin", admin, "/api/v1/tasks?state=queued,escalated"),
            ("admin", admin, "/api/v1/tasks?site=SITE3&priority=URGENT"),
            ("admin", admin, f"/api/v1/tasks?due_before={soon}"),
            ("admin", admin, "/api/v1/tasks?limit=1000"),
            ("reader r007", reader, "/api/v1/tasks"),
            ("reader r007", reader, "/api/v1/tasks?reader=r007"),
            ("reader r007", reader, "/api/v1/tasks?state=queued"),
        ]
        for who, token, path in (shapes if args.shapes != "none" else []):
            a = wb.Api(args.http_port, token)
            a.call("GET", path)  # warm the connection and the script cache
            client_ms, redis_us, tasks, sizes, commands = [], [], 0, 0, {}
            for _ in range(args.repeat):
                redis_cli(sock, "CONFIG", "SET", "slowlog-log-slower-than", "0")
                redis_cli(sock, "CONFIG", "SET", "slowlog-max-len", "100000")
                redis_cli(sock, "SLOWLOG", "RESET")
                status, body, elapsed, size = a.call("GET", path)
                entries = slowlog_entries(sock) or []
                redis_cli(sock, "CONFIG", "SET", "slowlog-log-slower-than", "10000")
                if status != 200:
                    raise RuntimeError(f"{who} {path}: HTTP {status} {body}")
                client_ms.append(elapsed * 1000)
                # Our own CONFIG/SLOWLOG calls and the background heartbeats are not the query's.
                mine = [(c, us) for c, us in entries if c not in ("CONFIG", "SLOWLOG")]
                redis_us.append(sum(us for _, us in mine))
                for c, _ in mine:
                    commands[c] = commands.get(c, 0) + 1
                tasks = len(body.get("tasks", []))
                sizes = size
            a.close()
            row = {"who": who, "path": path, "tasks": tasks, "bytes": sizes,
                   "client_ms": wb.summary(client_ms), "redis_ms_p50": wb.pct(redis_us, 50) / 1000,
                   "redis_ms_p99": wb.pct(redis_us, 99) / 1000,
                   "redis_commands_per_query": {c: n / args.repeat for c, n in commands.items()}}
            report["shapes"].append(row)
            print(f"{who:18} {path:48} tasks {tasks:5} {sizes / 1024:7.1f} KiB  client p50 "
                  f"{row['client_ms']['p50_ms']:6.2f} p99 {row['client_ms']['p99_ms']:6.2f} ms  redis p50 "
                  f"{row['redis_ms_p50']:6.2f} ms  {row['redis_commands_per_query']}", flush=True)
        if args.claims:
            # One claim at a time: what a claim costs the engine and Redis, without queueing.
            queued = [tid for tid, state, _ in created if state == "queued"][:args.claims]
            a = wb.Api(args.http_port, admin)
            client_ms, redis_us = [], []
            for n, tid in enumerate(queued):
                redis_cli(sock, "CONFIG", "SET", "slowlog-log-slower-than", "0")
                redis_cli(sock, "SLOWLOG", "RESET")
                status, body, elapsed, _ = a.call("POST", f"/api/v1/tasks/{tid}/claim",
                                                  {"reader": readers[n % len(readers)]})
                entries = slowlog_entries(sock) or []
                redis_cli(sock, "CONFIG", "SET", "slowlog-log-slower-than", "10000")
                if status != 200:
                    raise RuntimeError(f"claim {tid}: HTTP {status} {body}")
                client_ms.append(elapsed * 1000)
                redis_us.append(sum(us for c, us in entries if c not in ("CONFIG", "SLOWLOG")))
            a.close()
            row = {"claims": len(queued), "client_ms": wb.summary(client_ms),
                   "redis_ms_p50": wb.pct(redis_us, 50) / 1000, "redis_ms_p99": wb.pct(redis_us, 99) / 1000}
            report["claims"] = row
            print(f"claims one at a time: {len(queued)}  client p50 {row['client_ms']['p50_ms']:.2f} "
                  f"p99 {row['client_ms']['p99_ms']:.2f} ms  redis p50 {row['redis_ms_p50']:.2f} ms", flush=True)
        report["load_avg_end"] = os.getloadavg()
        if args.out:
            os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
            with open(args.out, "w") as f:
                json.dump(report, f, indent=1)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
