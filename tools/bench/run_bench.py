#!/usr/bin/env python3
"""Runs tools/bench/callbench natively and under sentry in the same run and
prints, per benchmark, the median time per iteration of several repetitions,
its spread, and the ratio sentry/native.

Usage: run_bench.py [--sentry build/sentry] [--bench build/tools/callbench]
                    [--reps 5] [--same-cpu] [--before OLD_SENTRY] [--filter REGEX]
                    [--json OUT]
--same-cpu pins the guest and sentry to CPU 0 (taskset), the placement the
per-call targets are stated for; cross-CPU wake-ups cost 15-50 us on a VM.
--before runs the same benchmarks under another sentry binary (an earlier
build) in the same run and adds its column and ratio, for before/after
comparisons that share one machine state.
"""
import argparse
import json
import statistics
import subprocess
import sys


def run(cmd, reps, bench_filter=None):
    extra = [f"--benchmark_filter={bench_filter}"] if bench_filter else []
    out = subprocess.run(cmd + extra + ["--benchmark_format=json", f"--benchmark_repetitions={reps}",
                                        "--benchmark_report_aggregates_only=false"],
                         check=True, capture_output=True, text=True).stdout
    times = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        name = b["run_name"] if "run_name" in b else b["name"]
        unit = {"ns": 1, "us": 1e3, "ms": 1e6}[b["time_unit"]]
        times.setdefault(name, []).append(b["real_time"] * unit)
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentry", default="build/sentry")
    ap.add_argument("--bench", default="build/tools/callbench")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--same-cpu", action="store_true")
    ap.add_argument("--before")
    ap.add_argument("--filter")
    ap.add_argument("--json")
    a = ap.parse_args()
    pin = ["taskset", "-c", "0"] if a.same_cpu else []
    native = run(pin + [a.bench], a.reps, a.filter)
    sandboxed = run(pin + [a.sentry, "run", "--", a.bench], a.reps, a.filter)
    before = run(pin + [a.before, "run", "--", a.bench], a.reps, a.filter) if a.before else {}
    rows = []
    head = f"{'benchmark':24} {'native ns':>12} {'sentry ns':>12} {'ratio':>8}"
    if a.before:
        head += f" {'before ns':>12} {'ratio':>8}"
    print(head + "   spread (min..max ns, sentry)")
    for name in native:
        n, s = statistics.median(native[name]), statistics.median(sandboxed[name])
        row = {"benchmark": name, "native_ns": n, "sentry_ns": s, "ratio": s / n,
               "sentry_min": min(sandboxed[name]), "sentry_max": max(sandboxed[name])}
        line = f"{name:24} {n:12.0f} {s:12.0f} {s / n:8.2f}"
        if a.before:
            b = statistics.median(before[name]) if name in before else float("nan")
            row.update({"before_ns": b, "before_ratio": b / n})
            line += f" {b:12.0f} {b / n:8.2f}"
        rows.append(row)
        print(line + f"   {min(sandboxed[name]):.0f}..{max(sandboxed[name]):.0f}")
    if a.json:
        json.dump({"same_cpu": a.same_cpu, "reps": a.reps, "rows": rows}, open(a.json, "w"), indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
