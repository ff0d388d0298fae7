#!/usr/bin/env python3
"""gVisor's syscall test binaries, natively and under sentry, case by case.

Usage: run_suite.py SENTRY [--bin DIR] [--only A,B] [--jobs N] [--timeout S]
                           [--expected FILE] [--write-expected FILE]

DIR (default: $SENTRY_GVISOR_TESTS) holds the gtest binaries of gVisor's
test/syscalls/linux, built outside the tree (../shared/conformance/gvisor
has a kit that builds them without Bazel). Unset or missing: the test says
so and exits 77.

Each binary runs twice (cases that set host-wide sysctls left out) from a
fresh scratch directory (TEST_TMPDIR, HOME and
TMPDIR inside it), in new UTS, IPC, mount, PID and network namespaces
(`unshare`, loopback up), so tests that rename the host or leave processes
behind touch nothing outside: natively, then under `SENTRY run
--exit-with-root`. Every case's outcome is read from gtest's own lines (a
crash or timeout leaves the running case "crash"/"timeout" and the binary
is not restarted: its other cases count as not run in that mode).

Verdict: every case that passes natively must pass under sentry, unless
FILE (default: expected_failures.txt next to this script) lists it as
"binary Suite.Case  reason". A listed case that now passes is reported so
that the list can shrink. Exit 0 when nothing unexpected failed, 1 otherwise.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
PLATFORM_SUPPORT = "32BIT:TRUE,ALIGNMENT_CHECK:TRUE,INT3:TRUE,MULTIPROCESS:TRUE,VSYSCALL:TRUE"
# Binaries that need more than loopback or change host-wide state.
SKIP_BINARIES = {
    "bind_external_test", "connect_external_test",
    "socket_ipv4_udp_unbound_external_networking_test",
    "socket_ipv6_udp_unbound_external_networking_test",
    "cgroup_test", "cgroup2_test", "cgroup2_ebpf_test",
}
# Cases never run: they set host-wide sysctls (not namespaced) as root.
SKIP_CASES = {
    "dup_test": ["RlimitTest.DupLimitedByNROpenSysctl"],
    "proc_test": ["ProcSysKernelKeysMax.*"],
}
RUN_RE = re.compile(r"^\[ RUN      \] (\S+)")
END_RE = re.compile(r"^\[ +(OK|FAILED|SKIPPED) +\] (\S+?)(?:,| \(|$)")


def parse(text):
    """case -> outcome (pass/fail/skip), and the case left running."""
    out, running = {}, None
    for line in text.splitlines():
        m = RUN_RE.match(line)
        if m:
            running = m.group(1)
            continue
        m = END_RE.match(line)
        if m and m.group(2) == running:
            out[running] = {"OK": "pass", "FAILED": "fail", "SKIPPED": "skip"}[m.group(1)]
            running = None
    return out, running


def run_binary(binary, sentry, timeout):
    """Runs `binary` natively or under sentry (sentry None: natively)."""
    scratch = tempfile.mkdtemp(prefix="gvisor-suite.")
    tmp = os.path.join(scratch, "tmp")
    os.makedirs(tmp)
    env = dict(os.environ, TEST_TMPDIR=tmp, HOME=tmp, TMPDIR=tmp, GVISOR_PLATFORM_SUPPORT=PLATFORM_SUPPORT)
    prog = [binary, "--gtest_color=no"]
    skip = SKIP_CASES.get(os.path.basename(binary))
    if skip:
        prog.append("--gtest_filter=-" + ":".join(skip))
    if sentry:
        prog = [sentry, "run", "--exit-with-root", "--"] + prog
    inner = 'ip link set lo up 2>/dev/null; exec "$@"'
    cmd = ["unshare", "-u", "-i", "-n", "-m", "-p", "-f", "--mount-proc", "--kill-child",
           "sh", "-c", inner, "sh"] + prog
    started = time.monotonic()
    p = subprocess.Popen(cmd, cwd=scratch, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        text, _ = p.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        text, _ = p.communicate()
        timed_out = True
    shutil.rmtree(scratch, ignore_errors=True)
    results, running = parse(text.decode("utf-8", "replace"))
    if running:
        results[running] = "timeout" if timed_out else "crash"
    return results, time.monotonic() - started


def load_expected(path):
    expected = {}
    if path and os.path.exists(path):
        for line in open(path):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) >= 2:
                expected[(parts[0], parts[1])] = parts[2] if len(parts) > 2 else ""
    return expected


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sentry")
    ap.add_argument("--bin", default=os.environ.get("SENTRY_GVISOR_TESTS", ""))
    ap.add_argument("--only", default=os.environ.get("SENTRY_GVISOR_ONLY", ""))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--expected", default=os.path.join(HERE, "expected_failures.txt"))
    ap.add_argument("--write-expected", default="",
                    help="write every case failing under sentry now (with its outcome) to this file")
    a = ap.parse_args()
    if not a.bin:
        print("SKIP: SENTRY_GVISOR_TESTS is not set: gVisor's syscall tests did not run "
              "(build them with ../shared/conformance/gvisor, then point the variable at their bin/)")
        return 77
    if not os.path.isdir(a.bin):
        print(f"FAIL: SENTRY_GVISOR_TESTS={a.bin} is not a directory")
        return 1
    if os.geteuid() != 0 or not shutil.which("unshare"):
        print("SKIP: the suite runs as root with unshare (private namespaces per binary)")
        return 77
    only = set(filter(None, a.only.split(",")))
    binaries = sorted(b for b in os.listdir(a.bin)
                      if os.access(os.path.join(a.bin, b), os.X_OK) and b not in SKIP_BINARIES
                      and (not only or b in only))
    if not binaries:
        print(f"FAIL: no test binaries in {a.bin}" + (f" matching {a.only}" if only else ""))
        return 1
    expected = load_expected(a.expected)
    sentry = os.path.abspath(a.sentry)

    def both(b):
        path = os.path.join(a.bin, b)
        native, tn = run_binary(path, None, a.timeout)
        guest, ts = run_binary(path, sentry, a.timeout)
        return b, native, guest, tn, ts

    native_pass = sentry_pass = 0
    unexpected, fixed, now_failing = [], [], []
    with ThreadPoolExecutor(max_workers=a.jobs) as pool:
        for b, native, guest, tn, ts in pool.map(both, binaries):
            passes = [c for c, o in native.items() if o == "pass"]
            ok = [c for c in passes if guest.get(c) == "pass"]
            native_pass += len(passes)
            sentry_pass += len(ok)
            bad = [c for c in passes if guest.get(c) != "pass"]
            for c in bad:
                now_failing.append((b, c, guest.get(c, "not run")))
                if (b, c) not in expected:
                    unexpected.append((b, c, guest.get(c, "not run")))
            for c in ok:
                if (b, c) in expected:
                    fixed.append((b, c))
            print(f"{'ok' if not [x for x in bad if (b, x) not in expected] else 'FAIL'}: {b}: "
                  f"{len(ok)}/{len(passes)} native passes pass under sentry "
                  f"({len(bad)} not, native {tn:.0f} s, sentry {ts:.0f} s)", flush=True)
    for b, c, o in unexpected:
        print(f"FAIL: {b} {c}: passes natively, under sentry: {o}")
    for b, c in fixed:
        print(f"note: {b} {c} passes now: remove it from {os.path.basename(a.expected)}")
    share = 100.0 * sentry_pass / native_pass if native_pass else 0.0
    print(f"summary: {len(binaries)} binaries, {native_pass} cases pass natively, {sentry_pass} of them "
          f"under sentry ({share:.1f}%); {len(unexpected)} unexpected failures, "
          f"{len(now_failing) - len(unexpected)} expected")
    if a.write_expected:
        with open(a.write_expected, "w") as f:
            for b, c, o in sorted(now_failing):
                f.write(f"{b} {c}  {expected.get((b, c)) or o}\n")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
