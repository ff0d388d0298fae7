#!/usr/bin/env python3
"""Media pipeline costs under sentry against native, from one run.

For each workload and each way of running it (native, sentry, strace -f as a
reference), runs REPS repetitions and reports the median and spread of the
CPU time (user+sys) of the whole process tree, sentry included, and the ratio
to native. Also: startup overhead of `sentry run /bin/true`, and sentry's peak
RSS in the RTSP scenario (from its report).

Workloads:
  rtsp       ffmpeg RTSP push (TCP, -re, 4 s) into an ffmpeg RTSP listener writing HLS
  transcode  non-realtime x264 transcode of a 10 s lavfi clip to /dev/null

Usage: pipeline_bench.py [--sentry build/sentry] [--before OLD_SENTRY] [--reps 3] [--json OUT]
--before adds a mode that runs the same workloads under another sentry binary
(an earlier build), for before/after ratios from one run. Each sentry run is
granted its output directory with --rw.
"""
import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrap(mode, sentry, argv, report=None, rw=None):
    if mode == "native":
        return argv
    if mode == "strace":
        return ["strace", "-f", "-qq", "-o", "/dev/null"] + argv
    cmd = [sentry[mode], "run"]
    if rw:
        cmd += ["--rw", rw]
    if report:
        cmd += ["--observe", "served", "--report", report]
    return cmd + ["--"] + argv


def listening(port):
    # /proc/net/tcp, state 0A = LISTEN; probing with connect() would use up
    # the listener's single accept.
    want = f":{port:04X} "
    with open("/proc/net/tcp") as f:
        return any(want in line and line.split()[3] == "0A" for line in f)


def rtsp_once(mode, sentry, clip, tmp, report=None):
    port = free_port()
    out = tempfile.mkdtemp(dir=tmp)
    server = subprocess.Popen(wrap(mode, sentry, [
        "ffmpeg", "-nostdin", "-loglevel", "error", "-rtsp_flags", "listen", "-i",
        f"rtsp://127.0.0.1:{port}/live/test", "-c", "copy", "-f", "hls", "-hls_time", "1",
        "-hls_list_size", "0", f"{out}/index.m3u8"], report, rw=out))
    for _ in range(400):
        if listening(port):
            break
        time.sleep(0.005)
    subprocess.run(wrap(mode, sentry, [
        "ffmpeg", "-nostdin", "-loglevel", "quiet", "-re", "-i", clip, "-c", "copy", "-f", "rtsp",
        "-rtsp_transport", "tcp", f"rtsp://127.0.0.1:{port}/live/test"], rw=tmp), check=True)
    server.wait(timeout=60)


def transcode_once(mode, sentry, clip, tmp, report=None):
    subprocess.run(wrap(mode, sentry, ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                                       "testsrc2=size=640x360:rate=25:duration=10", "-c:v", "libx264",
                                       "-preset", "veryfast", "-f", "null", "-"], report), check=True)


def measure(fn, mode, sentry, clip, tmp, reps):
    cpu, wall = [], []
    for _ in range(reps):
        c0, w0 = children_cpu(), time.monotonic()
        fn(mode, sentry, clip, tmp)
        cpu.append(children_cpu() - c0)
        wall.append(time.monotonic() - w0)
    return cpu, wall


def startup(sentry, reps):
    def run(cmd):
        t = []
        for _ in range(reps):
            t0 = time.monotonic()
            subprocess.run(cmd, check=True)
            t.append(time.monotonic() - t0)
        return statistics.median(t)
    return run(["/bin/true"]), run([sentry, "run", "--", "/bin/true"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentry", default="build/sentry")
    ap.add_argument("--before")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--json")
    a = ap.parse_args()
    results = {}
    sentries = {"sentry": a.sentry, "before": a.before}
    modes = ("native", "sentry", "before", "strace") if a.before else ("native", "sentry", "strace")
    with tempfile.TemporaryDirectory() as tmp:
        clip = os.path.join(tmp, "in.mp4")
        subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4",
                        "-f", "lavfi", "-i", "sine=frequency=440:duration=4", "-c:v", "libx264", "-bf", "0", "-g", "12",
                        "-threads", "1", "-c:a", "aac", "-shortest", clip], check=True)
        print(f"{'workload':10} {'mode':7} {'cpu s (median)':>15} {'spread':>15} {'ratio':>7} {'wall s':>8}")
        for name, fn in (("rtsp", rtsp_once), ("transcode", transcode_once)):
            base = None
            for mode in modes:
                cpu, wall = measure(fn, mode, sentries, clip, tmp, a.reps)
                med = statistics.median(cpu)
                base = base or med
                results[f"{name}/{mode}"] = {"cpu": cpu, "wall": wall, "ratio": med / base}
                print(f"{name:10} {mode:7} {med:15.3f} {min(cpu):7.3f}..{max(cpu):<7.3f} {med / base:7.2f} "
                      f"{statistics.median(wall):8.2f}")
        report = os.path.join(tmp, "server.json")
        rtsp_once("sentry", sentries, clip, tmp, report)
        rss = json.load(open(report))["sentry"]["peak_rss_kb"]
        native_s, sentry_s = startup(a.sentry, max(5, a.reps * 3))
        before_s = startup(a.before, max(5, a.reps * 3))[1] if a.before else None
    print(f"startup: /bin/true native {native_s * 1e3:.2f} ms, under sentry {sentry_s * 1e3:.2f} ms "
          f"(+{(sentry_s - native_s) * 1e3:.2f} ms)" +
          (f"; before {before_s * 1e3:.2f} ms (+{(before_s - native_s) * 1e3:.2f} ms)" if before_s else ""))
    print(f"sentry peak RSS in the RTSP scenario (server side): {rss / 1024:.1f} MB")
    results["startup_ms"] = {"native": native_s * 1e3, "sentry": sentry_s * 1e3}
    results["sentry_peak_rss_kb"] = rss
    if a.json:
        json.dump(results, open(a.json, "w"), indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
