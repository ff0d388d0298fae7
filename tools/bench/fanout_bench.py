#!/usr/bin/env python3
"""RTSP fan-out costs of ZLMediaKit's MediaServer under sentry against native, from one run.

One native ffmpeg pushes a clip (1280x720 25 fps h264 2 Mb/s + aac, encoded once, looped
with -re -stream_loop -1 -c copy) over RTSP/TCP to MediaServer; N clients pull it over
RTSP/TCP. Only the server runs under sentry. Within each rep the modes alternate (native,
sentry[, before]) so that noise hits all of them. Each run measures the CPU time
(user+sys) of the whole server-side tree, sentry included, over a steady-state window of
SECONDS that starts 1 s after every client receives video. Per client count: median
[min-max] over reps, ratio to native, each rep's ratios, video frames per client.

CPU: the server starts in a cgroup of its own, joined before exec (cgroup v2 cpu.stat
usage_usec if a cgroup2 hierarchy is mounted, else v1 cpuacct.usage), read at the start
and the end of the window, removed after the run (leftovers killed).
Clients: not ffmpeg (N of them would compete with the server for the cores) but a minimal
RTSP client in this process: N non-blocking connections doing OPTIONS, DESCRIBE, SETUP
per track (RTP/AVP/TCP interleaved), PLAY, then counting RTP packets with the marker bit
on the video channel = video frames. A client with no frame, or fewer than 90% of the
native clients' median, is flagged, and the exit status is 1.
MediaServer: $SENTRY_MEDIASERVER (unset or not executable: SKIP, exit 0), copied into a
dir of its own with a config.ini as in test/e2e/media_mediaserver.sh (RTSP, HTTP, onvif
on free random ports, other listeners off; HLS/TS/fMP4/RTMP/MP4 muxing off), run in the
foreground (no -d watchdog), stopped with SIGTERM.

Usage: fanout_bench.py [--sentry build/sentry] [--before OLD_SENTRY] [--modes native,sentry]
                       [--clients 10,50] [--seconds 20] [--reps 3] [--json OUT] [--report FILE]
--before adds a mode running the server under another sentry binary (an earlier build).
--report: one extra sentry run (first client count, not counted) with --observe served
--report FILE. Sentry runs are granted the temp dir with --rw. Needs root.
"""
import argparse
import contextlib
import json
import os
import random
import re
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

FPS = 25
CLIP = ["-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate={FPS}:duration=10", "-f", "lavfi", "-i",  # 10 s, GOP 2 s
        "sine=frequency=440:sample_rate=44100:duration=10", "-c:v", "libx264", "-preset", "veryfast", "-b:v", "2M",
        "-maxrate", "2M", "-bufsize", "2M", "-bf", "0", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0",
        "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", "-shortest"]
LIVE, CGROUPS = set(), set()  # what cleanup() must end


class RunError(Exception):
    pass


def sockets(*kinds):  # (local port, state) of every socket in /proc/net/KIND
    rows = []
    for k in kinds:
        if os.path.exists(f"/proc/net/{k}"):
            with open(f"/proc/net/{k}") as f:
                rows += [(int(c[1].rsplit(":", 1)[1], 16), c[3]) for c in (ln.split() for ln in list(f)[1:])]
    return rows


def free_ports(n):  # random, unbound, below the usual ephemeral range (like media_free_port)
    return random.sample(sorted(set(range(20000, 32000)) - {p for p, _ in sockets("tcp", "tcp6", "udp", "udp6")}), n)


def listening(port):  # IPv4 or IPv6 (MediaServer listens on ::)
    return (port, "0A") in sockets("tcp", "tcp6")


class Cgroup:
    def __init__(self, name):
        mounts = [ln.split() for ln in open("/proc/mounts")]
        for base, v2 in [(m[1], True) for m in mounts if m[2] == "cgroup2"] + \
                        [(m[1], False) for m in mounts if m[2] == "cgroup" and "cpuacct" in m[3].split(",")]:
            with contextlib.suppress(OSError):
                os.mkdir(os.path.join(base, name))
                self.dir, self.v2 = os.path.join(base, name), v2
                CGROUPS.add(self)
                return
        raise SystemExit("fanout_bench: cannot create a cgroup (no writable cgroup2 or cpuacct hierarchy)")

    def enter(self):  # preexec_fn: the server launcher joins before exec
        with open(f"{self.dir}/cgroup.procs", "w") as f:
            f.write(str(os.getpid()))

    def cpu(self):  # seconds, user+sys, of every task that ever ran in the group
        if self.v2:
            return int(dict(ln.split() for ln in open(f"{self.dir}/cpu.stat"))["usage_usec"]) / 1e6
        return int(open(f"{self.dir}/cpuacct.usage").read()) / 1e9

    def remove(self):  # kill what is left (v2: cgroup.kill, no pid reuse race), then rmdir
        kill = f"{self.dir}/cgroup.kill"
        for _ in range(200):
            pids = [int(p) for p in open(f"{self.dir}/cgroup.procs").read().split()]
            if not pids:
                break
            if os.path.exists(kill):
                with open(kill, "w") as f:
                    f.write("1")
            else:
                for p in pids:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(p, signal.SIGKILL)
            time.sleep(0.05)
        try:
            os.rmdir(self.dir)
        except OSError as e:
            print(f"warning: cannot remove cgroup {self.dir}: {e}")
        CGROUPS.discard(self)


def start(argv, log, **kw):  # own session: stop() can kill its process group
    with open(log, "ab") as out:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True, **kw)
    LIVE.add(p)
    return p


def stop(p, wait=10):  # SIGTERM to the launcher (sentry forwards it to the guest), then SIGKILL its group
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            p.wait(wait)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    LIVE.discard(p)


def cleanup():
    for p in list(LIVE):
        stop(p, wait=2)
    for cg in list(CGROUPS):
        cg.remove()


class Client:
    """One RTSP/TCP player: OPTIONS, DESCRIBE, SETUP per track (interleaved), PLAY; counts video frames."""

    def __init__(self, url, port):
        self.url, self.buf, self.cseq, self.frames, self.error = url, bytearray(), 0, 0, None
        self.tracks, self.todo, self.session, self.vch = [], [], "", None
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.setblocking(False)
        self.request("OPTIONS", url)

    def request(self, method, url, headers=""):
        self.cseq, self.state = self.cseq + 1, method
        self.sock.sendall(f"{method} {url} RTSP/1.0\r\nCSeq: {self.cseq}\r\nUser-Agent: fanout_bench\r\n"
                          f"{headers}\r\n".encode())

    def on_response(self, head, body):
        lines = head.decode(errors="replace").split("\r\n")
        if lines[0].split()[1:2] != ["200"]:
            raise RuntimeError(f"answer {lines[0]!r}")
        h = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
        if self.state == "OPTIONS":
            return self.request("DESCRIBE", self.url, "Accept: application/sdp\r\n")
        if self.state == "DESCRIBE":
            base, kind = h.get("content-base", self.url).rstrip("/") + "/", None
            for ln in body.decode(errors="replace").splitlines():
                if ln.startswith("m="):
                    kind = ln[2:].split()[0]
                elif ln.startswith("a=control:") and kind:  # a track's control, not the session's
                    self.tracks.append((kind, ln[10:].strip() if "://" in ln else base + ln[10:].strip()))
                    kind = None
            self.todo = list(enumerate(self.tracks))
            if "video" not in [k for k, _ in self.tracks]:
                raise RuntimeError(f"no video track in the SDP {body[:300]!r}")
            self.vch = 2 * [k for k, _ in self.tracks].index("video")  # its RTP channel
        elif self.state == "SETUP":
            self.session = self.session or h["session"].split(";")[0]
        elif self.state == "PLAY":
            self.state = "PLAYING"
            return
        sess = f"Session: {self.session}\r\n" if self.session else ""
        if self.todo:
            i, (_, url) = self.todo.pop(0)
            self.request("SETUP", url, f"Transport: RTP/AVP/TCP;unicast;interleaved={2 * i}-{2 * i + 1}\r\n{sess}")
        else:
            self.request("PLAY", self.url, f"{sess}Range: npt=0.000-\r\n")

    def on_readable(self):
        data = self.sock.recv(1 << 18)
        if not data:
            raise RuntimeError("connection closed by the server")
        b = self.buf
        b += data
        off, n = 0, len(b)
        while off < n:
            if b[off] == 0x24:  # '$' channel len16 RTP/RTCP
                ln = (b[off + 2] << 8) | b[off + 3] if off + 4 <= n else n
                if off + 4 + ln > n:
                    break
                if b[off + 1] == self.vch and ln > 1 and b[off + 5] & 0x80:
                    self.frames += 1
                off += 4 + ln
            else:  # an RTSP answer
                end = b.find(b"\r\n\r\n", off)
                if end < 0:
                    break
                head = bytes(b[off:end])
                m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                blen = int(m.group(1)) if m else 0
                if end + 4 + blen > n:
                    break
                body, off = bytes(b[end + 4:end + 4 + blen]), end + 4 + blen
                self.on_response(head, body)
        del b[:off]


def pump(sel, until, done=lambda: False):  # serve the clients until `until` or done()
    while time.monotonic() < until and not done():
        for key, _ in sel.select(timeout=min(0.2, max(0.0, until - time.monotonic()))):
            c = key.data
            try:
                c.on_readable()
            except Exception as e:  # noqa: BLE001 - any client error is that client's
                c.error = f"{c.state}: {e}"
                sel.unregister(c.sock)
                c.sock.close()
    return done()


def log_tail(path, n=15):
    try:
        lines = open(path, errors="replace").read().replace("\r", "\n").split("\n")
    except OSError:
        return "  | (no log)"
    return "\n".join(["  | " + re.sub(r"\x1b\[[0-9;]*m", "", ln) for ln in lines if ln.strip()][-n:])


def write_config(path, rtsp, http, onvif):
    cfg = {"general": {"listen_ip": "::"}, "rtsp": {"port": rtsp, "sslport": 0}, "http": {"port": http, "sslport": 0},
           "rtmp": {"port": 0, "sslport": 0}, "rtp_proxy": {"port": 0}, "shell": {"port": 0}, "srt": {"port": 0},
           "onvif": {"port": onvif}, "protocol": {"enable_hls": 0, "enable_hls_fmp4": 0, "enable_mp4": 0,
                                                 "enable_rtmp": 0, "enable_ts": 0, "enable_fmp4": 0, "enable_rtsp": 1},
           "rtc": {k: 0 for k in ("port", "tcpPort", "signalingPort", "signalingSslPort", "icePort", "iceTcpPort")}}
    with open(path, "w") as f:  # MediaServer fills in (and writes back) every default
        for sec, kv in cfg.items():
            f.write(f"[{sec}]\n" + "".join(f"{k}={v}\n" for k, v in kv.items()))


def run_once(mode, n, a, sentries, tmp, clip, report=None):
    """One server run with n clients: (server cpu s in the window, frames per client, client errors)."""
    d = tempfile.mkdtemp(dir=tmp, prefix=f"{mode}-{n}-")
    shutil.copy(os.environ["SENTRY_MEDIASERVER"], f"{d}/MediaServer")
    for attempt in range(3):
        rtsp, http, onvif = free_ports(3)
        write_config(f"{d}/config.ini", rtsp, http, onvif)
        argv = [f"{d}/MediaServer", "-c", f"{d}/config.ini", "-l", "3"]  # -l 3: warnings and errors only
        if mode != "native":
            obs = ["--observe", "served", "--report", report] if report else []
            argv = [sentries[mode], "run", "--rw", tmp] + obs + ["--"] + argv
        cg = Cgroup(f"fanout-bench-{os.getpid()}")
        server = start(argv, f"{d}/ms.log", cwd=d, preexec_fn=cg.enter)
        deadline = time.monotonic() + 20
        while server.poll() is None and not listening(rtsp) and time.monotonic() < deadline:
            time.sleep(0.05)
        if server.poll() is None and listening(rtsp):
            break
        stop(server)
        cg.remove()
        if attempt == 2 or "Start server failed" not in open(f"{d}/ms.log", errors="replace").read():
            raise RunError(f"{mode}: MediaServer did not listen on RTSP {rtsp} (exit {server.returncode})\n"
                           f"{log_tail(f'{d}/ms.log')}")
    url = f"rtsp://127.0.0.1:{rtsp}/live/test"
    sel, clients, push = selectors.DefaultSelector(), [], None
    try:
        push = start(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i",
                      clip, "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", url], f"{d}/push.log")
        for _ in range(n):  # DESCRIBE waits for the stream on the server's side
            try:
                clients.append(Client(url, rtsp))
            except OSError as e:
                raise RunError(f"{mode}: client {len(clients) + 1} cannot connect to {url}: {e}") from e
            sel.register(clients[-1].sock, selectors.EVENT_READ, clients[-1])
        pump(sel, time.monotonic() + 30, lambda: all(c.frames or c.error for c in clients))
        for c in clients:
            c.error = c.error or (None if c.frames else f"{c.state}: no video within 30 s")
        pump(sel, time.monotonic() + 1)  # settle
        for c in clients:
            c.frames = 0
        cpu0, t0 = cg.cpu(), time.monotonic()
        pump(sel, t0 + a.seconds)
        cpu = cg.cpu() - cpu0
        for who, p, log in (("MediaServer", server, "ms.log"), ("the ffmpeg push", push, "push.log")):
            if p.poll() is not None:
                raise RunError(f"{mode}: {who} exited ({p.returncode}) during the run\n{log_tail(f'{d}/{log}')}")
        return cpu, [c.frames for c in clients], [c.error for c in clients if c.error]
    finally:
        for c in clients:
            c.sock.close()
        if push:
            stop(push, wait=3)
        stop(server)
        cg.remove()


def main():
    ap = argparse.ArgumentParser(description="RTSP fan-out: MediaServer natively and under sentry")
    ap.add_argument("--sentry", default="build/sentry")
    ap.add_argument("--before")
    ap.add_argument("--modes", help="comma list of native,sentry,before (default: native,sentry[,before])")
    ap.add_argument("--clients", default="10,50")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--json")
    ap.add_argument("--report")
    a = ap.parse_args()
    ms = os.environ.get("SENTRY_MEDIASERVER", "")
    if not ms or not (os.path.isfile(ms) and os.access(ms, os.X_OK)) or not shutil.which("ffmpeg"):
        why = ("SENTRY_MEDIASERVER (ZLMediaKit's MediaServer binary) is not set" if not ms else
               f"SENTRY_MEDIASERVER={ms} is not an executable file" if not os.access(ms, os.X_OK) else "no ffmpeg")
        print(f"SKIP: fanout benchmark not run: {why}")
        return 0
    if os.geteuid() != 0:
        print("fanout_bench: needs root (cgroups, sentry)")
        return 2
    modes = a.modes.split(",") if a.modes else ["native", "sentry"] + (["before"] if a.before else [])
    sentries = {"sentry": os.path.abspath(a.sentry), "before": os.path.abspath(a.before) if a.before else ""}
    for m in modes + (["sentry"] if a.report else []):
        if m not in ("native", "sentry", "before") or (m != "native" and not os.access(sentries[m], os.X_OK)):
            print(f"fanout_bench: mode {m!r}: unknown, or its sentry binary {sentries.get(m)!r} is missing")
            return 2
    counts = [int(x) for x in a.clients.split(",")]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwinds through the finally below
    results, flagged = {}, False
    with tempfile.TemporaryDirectory(prefix="fanout-bench-") as tmp:
        try:
            clip = os.path.join(tmp, "in.mp4")
            subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error"] + CLIP + [clip], check=True)
            cg = Cgroup(f"fanout-bench-{os.getpid()}")
            print(f"server CPU: {'cgroup v2 cpu.stat' if cg.v2 else 'cgroup v1 cpuacct.usage'} under "
                  f"{os.path.dirname(cg.dir)}; clients: in-process RTSP/TCP, video RTP marker bits counted")
            cg.remove()
            for n in counts:
                res = {m: {"cpu": [], "frames": [], "errors": []} for m in modes}
                for rep in range(a.reps):
                    for m in modes:  # alternating: noise hits every mode
                        try:
                            cpu, frames, errs = run_once(m, n, a, sentries, tmp, clip)
                        except RunError as e:
                            print(f"FAIL: {n} clients, rep {rep + 1}: {e}")
                            cpu, frames, errs = None, [0] * n, [str(e).split("\n")[0]]
                        res[m]["cpu"].append(cpu)
                        res[m]["frames"] += frames
                        res[m]["errors"] += errs
                flagged |= report_scenario(n, a, modes, res)
                results[str(n)] = res
            if a.report:
                try:
                    cpu, frames, _ = run_once("sentry", counts[0], a, sentries, tmp, clip, os.path.abspath(a.report))
                    rss = json.load(open(a.report)).get("sentry", {}).get("peak_rss_kb")
                    print(f"\nreport run (sentry, {counts[0]} clients, not counted): server CPU {cpu:.3f} s, frames/client "
                          f"min {min(frames)}, report {a.report}" + (f", sentry peak RSS {rss / 1024:.1f} MB" if rss else ""))
                except RunError as e:
                    print(f"FAIL: report run: {e}")
                    flagged = True
        finally:
            cleanup()
    if a.json:
        json.dump(results, open(a.json, "w"), indent=2)
    if flagged:
        print("FAILED: a client received no or too few frames, or a run failed (see above)")
    return 1 if flagged else 0


def report_scenario(n, a, modes, res):
    """Prints one client count's table; True if a client or a run is flagged."""
    def median(xs):
        xs = [x for x in xs if x is not None]
        return statistics.median(xs) if xs else None
    expected, base = round(a.seconds * FPS), median(res.get("native", {}).get("cpu", []))
    floor = 0.9 * (median(res["native"]["frames"]) or expected if "native" in res else expected)
    print(f"\n== {n} clients, {a.seconds:g} s window, {a.reps} reps (~{expected} video frames per client "
          f"expected; flagged below {floor:.0f})")
    print(f"{'mode':8} {'server cpu s median [min-max]':>30} {'ratio':>6}  frames/client min/median")
    flagged = False
    for m in modes:
        r, cpu = res[m], [c for c in res[m]["cpu"] if c is not None]
        med = median(cpu)
        r["ratio"] = med / base if med and base else None
        r["rep_ratios"] = [c / b if c and b else None for c, b in zip(r["cpu"], res.get("native", r)["cpu"])]
        bad = min(r["frames"]) < max(floor, 1) or len(cpu) < len(r["cpu"])
        flagged |= bad
        cpus = f"{med:.3f} [{min(cpu):.3f}-{max(cpu):.3f}]" if cpu else "failed"
        ratio = f"{r['ratio']:.2f}" if r["ratio"] else "-"
        print(f"{m:8} {cpus:>30} {ratio:>6}  {min(r['frames'])}/{statistics.median(r['frames']):g}"
              + ("  <-- FLAGGED" if bad else ""))
        for e in sorted(set(r["errors"]))[:5]:
            print(f"         error: {e}")
    for m in (x for x in modes if x != "native" and "native" in modes):
        print(f"per-rep ratios {m}/native: " + " ".join(f"{x:.2f}" if x else "-" for x in res[m]["rep_ratios"]))
    return flagged


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        cleanup()
        sys.exit(130)
