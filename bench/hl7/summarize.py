#!/usr/bin/python3
"""Prints the HL7 benchmark's table (Markdown) from a results folder of bench/hl7/run.sh:
medians over repetitions (min-max) of msg/s and ACK latency per target, the stored = ACKed
check for Sundial, and the parser lines."""
import glob
import json
import os
import re
import statistics
import sys

folder = sys.argv[1]
runs = {}  # target -> [mllp_load result]
for path in sorted(glob.glob(os.path.join(folder, "reference-*.json"))):
    with open(path) as f:
        for run in json.load(f).get("runs", []):
            runs.setdefault(run["target"], []).append(run["load"])
for path in sorted(glob.glob(os.path.join(folder, "sundial-*.json"))):
    with open(path) as f:
        load = json.load(f)
    target = re.sub(r"-\d+\.json$", "", os.path.basename(path))
    runs.setdefault(target, []).append(load)


def cell(values, fmt):
    if not values:
        return "-"
    med = statistics.median(values)
    if len(values) == 1:
        return fmt.format(med)
    return f"{fmt.format(med)} ({fmt.format(min(values))}–{fmt.format(max(values))})"


order = ["ack", "py-redis-always", "py-redis-everysec", "sundial-everysec", "sundial-always"]
print("| target | C | runs | msg/s | p50 ms | p99 ms | max ms | errors | load gen CPU % |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for target in sorted(runs, key=lambda t: order.index(t) if t in order else 99):
    loads = runs[target]
    rate = [l["rate_msg_s"] for l in loads]
    p50 = [l["latency_ms"]["p50"] for l in loads]
    p99 = [l["latency_ms"]["p99"] for l in loads]
    mx = [l["latency_ms"]["max"] for l in loads]
    errors = sum(l["errors_total"] for l in loads)
    cpu = [l["client_cpu_pct_of_one_core"] for l in loads]
    bound = " †" if any(l.get("harness_bound") for l in loads) else ""
    print(f"| {target} | {loads[0]['connections']} | {len(loads)} | {cell(rate, '{:.0f}')}{bound} | "
          f"{cell(p50, '{:.2f}')} | {cell(p99, '{:.2f}')} | {cell(mx, '{:.1f}')} | {errors} | {cell(cpu, '{:.0f}')} |")
stored = os.path.join(folder, "sundial-stored.txt")
if os.path.exists(stored):
    print("\nSundial inbox after each run (stored must be >= ACKed, warm-up included):\n")
    with open(stored) as f:
        for line in f:
            print(f"    {line.rstrip()}")
parser = os.path.join(folder, "parser.txt")
if os.path.exists(parser):
    print("\nParser, one core (typical ORM/ORU):\n")
    with open(parser) as f:
        for line in f:
            print(f"    {line.rstrip()}")
