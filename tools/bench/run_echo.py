#!/usr/bin/env python3
"""Loopback echo (tools/bench/echo_bench.cc) natively and under sentry, from
one run: round trips per second for N = 1 and N = 50 clients, median and
spread of REPS repetitions, and the ratio sentry/native.
Usage: run_echo.py [--sentry build/sentry] [--bench build/tools/echo_bench] [--reps 3] [--seconds 2]
"""
import argparse
import statistics
import subprocess


def rate(cmd):
    return float(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentry", default="build/sentry")
    ap.add_argument("--bench", default="build/tools/echo_bench")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seconds", default="2")
    a = ap.parse_args()
    print(f"{'clients':>7} {'native rt/s':>12} {'sentry rt/s':>12} {'ratio':>6}   spread (sentry)")
    for n in (1, 50):
        args = [a.bench, str(n), a.seconds]
        native = [rate(args) for _ in range(a.reps)]
        sandboxed = [rate([a.sentry, "run", "--"] + args) for _ in range(a.reps)]
        nm, sm = statistics.median(native), statistics.median(sandboxed)
        print(f"{n:7} {nm:12.0f} {sm:12.0f} {sm / nm:6.2f}   {min(sandboxed):.0f}..{max(sandboxed):.0f}")


if __name__ == "__main__":
    main()
