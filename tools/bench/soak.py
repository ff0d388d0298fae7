#!/usr/bin/env python3
"""Soak: MediaServer under sentry for MINUTES with clients that come and go.

One native ffmpeg pushes a looped clip over RTSP/TCP; N RTSP/TCP players (the
fan-out benchmark's client) each stay connected a random 2 to 20 s, then
disconnect, and a new one takes its place. Every minute it prints sentry's
RSS and descriptor count (the supervisor process), the server's, how many
clients came and went, and how many of them got no frames. At the end it
checks that sentry's RSS and fd count were flat from minute 2 to the end
(RSS within 8 MB, fds within 16), that every client that stayed at least 5 s
got frames, and that MediaServer logged no error. Exit 0 when all hold.

Usage: SENTRY_MEDIASERVER=... soak.py [--sentry build/sentry] [--minutes 10] [--clients 50] [--seed 1]
(MediaServer from SENTRY_MEDIASERVER; skipped with a message when unset.)
"""
import argparse
import os
import random
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fanout_bench as fb  # noqa: E402  (the server, client and cleanup helpers)


def status_of(pid):
    """(RSS in kB, open fds) of a process, or (None, None) once it is gone."""
    try:
        rss = next(int(ln.split()[1]) for ln in open(f"/proc/{pid}/status") if ln.startswith("VmRSS:"))
        return rss, len(os.listdir(f"/proc/{pid}/fd"))
    except (OSError, StopIteration):
        return None, None


def guest_pid(launcher_pid, name="MediaServer"):
    """The guest MediaServer's host pid (a descendant of sentry), or None."""
    out = subprocess.run(["pgrep", "-f", "-n", f"/{name} -c"], capture_output=True, text=True).stdout.split()
    return int(out[0]) if out else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentry", default="build/sentry")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    ms = os.environ.get("SENTRY_MEDIASERVER", "")
    if not ms or not os.access(ms, os.X_OK) or not shutil.which("ffmpeg"):
        print("SKIP: soak not run: set SENTRY_MEDIASERVER to ZLMediaKit's MediaServer binary (and install ffmpeg)")
        return 0
    rnd = random.Random(a.seed)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    failures = []
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        try:
            clip = os.path.join(tmp, "in.mp4")
            subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error"] + fb.CLIP + [clip], check=True)
            shutil.copy(ms, f"{tmp}/MediaServer")
            rtsp, http, onvif = fb.free_ports(3)
            fb.write_config(f"{tmp}/config.ini", rtsp, http, onvif)
            argv = [os.path.abspath(a.sentry), "run", "--rw", tmp, "--", f"{tmp}/MediaServer", "-c",
                    f"{tmp}/config.ini", "-l", "3"]
            server = fb.start(argv, f"{tmp}/ms.log", cwd=tmp)
            deadline = time.monotonic() + 20
            while server.poll() is None and not fb.listening(rtsp) and time.monotonic() < deadline:
                time.sleep(0.05)
            if not fb.listening(rtsp):
                print(f"FAIL: MediaServer did not listen\n{fb.log_tail(f'{tmp}/ms.log')}")
                return 1
            url = f"rtsp://127.0.0.1:{rtsp}/live/test"
            fb.start(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i",
                      clip, "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", url], f"{tmp}/push.log")
            time.sleep(2)  # the stream exists before the first DESCRIBE
            sel, live = selectors.DefaultSelector(), {}  # client -> (started, leaves at)
            came = went = starved = 0
            samples = []  # (minute, sentry rss kB, sentry fds)
            start = time.monotonic()
            end = start + a.minutes * 60
            next_minute = start + 60
            print(f"{'min':>4} {'sentry RSS MB':>13} {'sentry fds':>10} {'server RSS MB':>13} {'server fds':>10} "
                  f"{'came':>6} {'went':>6} {'no frames':>9}")
            while time.monotonic() < end and server.poll() is None:
                now = time.monotonic()
                for c, (t0, leave) in list(live.items()):  # those whose time is up leave
                    if now >= leave or c.error:
                        if now - t0 >= 5 and c.frames == 0:
                            starved += 1
                            failures.append(f"a client connected for {now - t0:.0f} s got no frames ({c.error})")
                        with fb.contextlib.suppress(KeyError, ValueError):
                            sel.unregister(c.sock)
                        c.sock.close()
                        del live[c]
                        went += 1
                while len(live) < a.clients:  # and new ones come
                    try:
                        c = fb.Client(url, rtsp)
                    except OSError as e:
                        failures.append(f"connect failed: {e}")
                        break
                    sel.register(c.sock, selectors.EVENT_READ, c)
                    live[c] = (now, now + rnd.uniform(2, 20))
                    came += 1
                fb.pump(sel, min(time.monotonic() + 0.5, end))
                if time.monotonic() >= next_minute:
                    minute = round((time.monotonic() - start) / 60)
                    s_rss, s_fds = status_of(server.pid)
                    g = guest_pid(server.pid)
                    g_rss, g_fds = status_of(g) if g else (None, None)
                    samples.append((minute, s_rss, s_fds))
                    mb = lambda kb: f"{kb / 1024:.1f}" if kb else "-"  # noqa: E731
                    print(f"{minute:4} {mb(s_rss):>13} {s_fds or '-':>10} {mb(g_rss):>13} {g_fds or '-':>10} "
                          f"{came:6} {went:6} {starved:9}", flush=True)
                    next_minute += 60
            if server.poll() is not None:
                failures.append(f"sentry/MediaServer exited ({server.returncode}) during the soak")
            later = [s for s in samples if s[0] >= 2 and s[1]]
            if len(later) >= 2:
                rss = [s[1] for s in later]
                fds = [s[2] for s in later]
                if max(rss) - rss[0] > 8 * 1024:
                    failures.append(f"sentry RSS grew from {rss[0] / 1024:.1f} to {max(rss) / 1024:.1f} MB")
                if max(fds) - fds[0] > 16:
                    failures.append(f"sentry fds grew from {fds[0]} to {max(fds)}")
            errors = [ln for ln in open(f"{tmp}/ms.log", errors="replace") if " E " in ln or "[E]" in ln]
            if errors:
                failures.append(f"MediaServer logged {len(errors)} errors, e.g. {errors[0].strip()[:200]}")
            print(f"clients: {came} came, {went} went, {starved} got no frames")
        finally:
            fb.cleanup()
    for f in failures[:20]:
        print("FAIL:", f)
    print("soak:", "FAILED" if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
