#!/usr/bin/env python3
"""The coverage report counts what strace -f -c counts.

Runs the same ffmpeg command under `strace -f -c` and under `sentry run
--report`, and compares per-syscall counts. Calls whose number does not depend
on thread timing must match within 3%; futex (its count depends on how threads
interleave, in strace's runs too) must be present with a count of the same
order. Usage: report_vs_strace.py SENTRY
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

CMD = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=d=2", "-f", "null", "-"]
STABLE = ["mmap", "openat", "clone3", "mprotect", "read", "close", "newfstatat", "execve", "rseq", "set_robust_list"]


def strace_counts(tmp):
    out = os.path.join(tmp, "strace.txt")
    subprocess.run(["strace", "-f", "-c", "-o", out] + CMD, check=True)
    counts = {}
    for line in open(out):
        m = re.match(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$", line)
        if m and m.group(2) != "total":
            counts[m.group(2)] = int(m.group(1))
    return counts


def sentry_counts(sentry, tmp):
    out = os.path.join(tmp, "report.json")
    subprocess.run([sentry, "run", "--report", out, "--"] + CMD, check=True)
    report = json.load(open(out))
    counts = {}
    for prog in report["programs"]:
        for s in prog["syscalls"]:
            counts[s["name"]] = counts.get(s["name"], 0) + s["count"]
    return counts, report


def main():
    sentry = sys.argv[1]
    if shutil.which("strace") is None or shutil.which("ffmpeg") is None:
        print("SKIP: strace or ffmpeg is not installed")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        st = strace_counts(tmp)
        se, report = sentry_counts(sentry, tmp)
    failures = 0
    for name in STABLE:
        a, b = st.get(name, 0), se.get(name, 0)
        ok = a > 0 and abs(a - b) <= max(1, 0.03 * a)
        print(f"{'ok  ' if ok else 'FAIL'} {name:16} strace={a:6} sentry={b:6}")
        failures += not ok
    a, b = st.get("futex", 0), se.get("futex", 0)
    ok = a > 0 and b > 0 and b <= 5 * a and a <= 5 * b
    print(f"{'ok  ' if ok else 'FAIL'} {'futex':16} strace={a:6} sentry={b:6} (timing-dependent: same order required)")
    failures += not ok
    total_st, total_se = sum(st.values()), sum(se.values())
    ok = abs(total_st - total_se) <= 0.05 * total_st
    print(f"{'ok  ' if ok else 'FAIL'} {'(total)':16} strace={total_st:6} sentry={total_se:6}")
    failures += not ok
    if report["observed"] != "all" or report["exit"]["code"] != 0:
        print("FAIL: report must observe all calls and record exit code 0")
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
