#!/usr/bin/env python3
"""Soak: MediaServer under sentry for MINUTES with RTSP, RTMP and HLS players that come and go.

Server: ZLMediaKit's MediaServer ($SENTRY_MEDIASERVER) under sentry (--rw on a temp dir it is
copied into), with fanout_bench's config.ini plus RTMP on a free port, RTMP and HLS muxing on
(protocol.enable_rtmp=1, enable_hls=1, hls_demand=0: segments are cut all the time, not on a
first player's demand) and hls.segDur=2, segNum=3, segRetain=2 (a playlist of the last three
~2 s segments; the clip's GOP is 2 s). HLS is served by MediaServer's HTTP port from the
segments it writes under ./www in the temp dir. One native ffmpeg pushes a looped clip over
RTSP/TCP to live/test.

Clients: CLIENTS at a time; each stays a random 2 to 20 s, then disconnects, and a new one
takes its place. Each new client's kind is drawn with the seeded RNG, uniformly from --kinds
(default all three, a third each):
  rtsp  fanout_bench's in-process RTSP/TCP player; frames = video RTP packets with the marker bit.
  rtmp  a native `ffmpeg -i rtmp://127.0.0.1:RTMP/live/test -c copy -f null -` with
        -progress on a pipe; frames = its frame= count (video frames). At most RTMP_MAX (default
        5) of these ffmpeg processes exist at once (2-core machine), counting ones still exiting;
        when the cap is reached an RTMP draw becomes RTSP or HLS, so the mix is ~5 RTMP players
        and the rest split between RTSP and HLS. It is stopped with SIGTERM (SIGKILL after 3 s).
  hls   an in-process HTTP/1.1 keep-alive player of http://127.0.0.1:HTTP/live/test/hls.m3u8:
        fetches the newest listed segment, then re-fetches the playlist every 1 s and every
        segment it has not seen yet, sending back MediaServer's cookie; frames = TS packets
        starting a PES on the video PID (found from the PAT and PMT) = video frames. A connection
        the server closes between requests (keep-alive timeout or max) is reopened.
Every minute it prints sentry's RSS and descriptor count (the supervisor process; not its
sentry-init and sentry-mounter helpers), MediaServer's (sentry's descendant named MediaServer),
how many clients came and went, how many that stayed long enough got no frames, how many
ended with an error (connection closed by the server, non-200 answer, ffmpeg exiting on its
own), and came per kind. At the end: per kind, came, went, no frames, errors, the median of
frames per second of stay over the clients that stayed 5 s or more, and the median and maximum
time from connecting to the first frame (sampled every 0.5 s).

Checks (exit 0 when all hold): sentry's RSS and fd count flat from minute 2 to the end (RSS
within 8 MB, fds within 16 of the minute-2 sample); every client that stayed at least 5 s
(every kind: MediaServer always has a finished segment listed, so an HLS player's first
segment arrives right after its first playlist, like an RTSP or RTMP player's GOP cache) got
frames; no client ended with an error; MediaServer logged no error; sentry/MediaServer and the
push ffmpeg are still running. Clients still connected at the end are checked and counted as went.

Usage: SENTRY_MEDIASERVER=... soak.py [--sentry build/sentry] [--minutes 10] [--clients 50]
                                      [--seed 1] [--rtmp-max 5] [--kinds rtsp,rtmp,hls]
(MediaServer from SENTRY_MEDIASERVER; skipped with a message when unset.) Needs root.
"""
import argparse
import configparser
import contextlib
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fanout_bench as fb  # noqa: E402  (the server, RTSP client and cleanup helpers)

KINDS = ("rtsp", "rtmp", "hls")
MIN_STAY = 5  # s: a client that stayed this long must have got frames (any kind, see the docstring)
HLS_POLL = 1.0  # s between playlist fetches (half the target duration, as players do)


def status_of(pid):
    """(RSS in kB, open fds) of a process, or (None, None) once it is gone."""
    try:
        rss = next(int(ln.split()[1]) for ln in open(f"/proc/{pid}/status") if ln.startswith("VmRSS:"))
        return rss, len(os.listdir(f"/proc/{pid}/fd"))
    except (OSError, StopIteration):
        return None, None


def guest_pid(launcher_pid, name="MediaServer"):
    """The guest MediaServer's host pid: the descendant of sentry named so (sentry -> sentry-init ->
    MediaServer; sentry's own helpers, e.g. sentry-mounter, carry sentry's command line), or None."""
    children = {}
    for d in os.listdir("/proc"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = open(f"/proc/{d}/stat").read()
            comm, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
            children.setdefault(int(rest[1]), []).append((int(d), comm))
    todo = [launcher_pid]
    while todo:
        for pid, comm in children.get(todo.pop(), []):
            if comm == name[:15]:
                return pid
            todo.append(pid)
    return None


def write_config(path, rtsp, http, onvif, rtmp):
    """fanout_bench's config.ini, plus an RTMP listener and RTMP and HLS muxing (HLS over HTTP)."""
    fb.write_config(path, rtsp, http, onvif)
    cp = configparser.ConfigParser(interpolation=None)
    cp.optionxform = str  # MediaServer's keys are case-sensitive (segDur)
    cp.read(path)
    cp["rtmp"]["port"] = str(rtmp)
    cp["protocol"].update(enable_rtmp="1", enable_hls="1", hls_demand="0")
    cp["hls"] = {"segDur": "2", "segNum": "3", "segRetain": "2"}
    with open(path, "w") as f:
        cp.write(f, space_around_delimiters=False)


class RtspClient(fb.Client):
    kind = "rtsp"

    def close(self):
        self.sock.close()


DYING = []  # (ffmpeg process, SIGKILL deadline) of RTMP players told to stop


def reap(force=False):
    for p, deadline in list(DYING):
        if p.poll() is None and (force or time.monotonic() > deadline):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        if p.poll() is not None:
            p.stdout.close()
            DYING.remove((p, deadline))
            fb.LIVE.discard(p)


class RtmpClient:
    """A native ffmpeg playing rtmp://...; frames from its -progress output on a pipe."""
    kind = "rtmp"

    def __init__(self, url, log):
        self.frames, self.error, self.state, self.buf = 0, None, "starting", b""
        with open(log, "ab") as err:
            self.proc = subprocess.Popen(
                ["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-i", url, "-c", "copy",
                 "-f", "null", "-", "-progress", "pipe:1", "-stats_period", "0.5"],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, start_new_session=True)
        fb.LIVE.add(self.proc)  # fb.cleanup() ends it if the soak is cut short
        self.sock = self.proc.stdout  # what the selector watches

    def on_readable(self):
        data = os.read(self.sock.fileno(), 1 << 16)
        if not data:
            raise RuntimeError(f"ffmpeg ended on its own (exit {self.proc.wait()}, see rtmp.log)")
        *lines, self.buf = (self.buf + data).split(b"\n")
        for ln in lines:
            if ln.startswith(b"frame="):
                self.frames, self.state = int(ln[6:]), "playing"

    def close(self):  # its progress pipe stays open until it has exited (closed by reap())
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        DYING.append((self.proc, time.monotonic() + 3))


class TsVideoFrames:
    """Counts video frames in MPEG-TS: packets that start a PES on the video PID (from PAT, PMT)."""

    def __init__(self):
        self.pmt = self.vpid = None

    def __call__(self, ts):
        n = 0
        for i in range(0, len(ts) - 187, 188):
            if ts[i] != 0x47:
                raise RuntimeError(f"segment lost TS sync at byte {i}")
            if not ts[i + 1] & 0x40:  # payload_unit_start_indicator
                continue
            pid = ((ts[i + 1] & 0x1F) << 8) | ts[i + 2]
            if pid == self.vpid:
                n += 1
            elif pid == 0 or pid == self.pmt:  # a section: skip the adaptation field and the pointer
                p = i + 4 + (1 + ts[i + 4] if ts[i + 3] & 0x20 else 0)
                p += 1 + ts[p]
                end = min(p + 3 + (((ts[p + 1] & 0x0F) << 8) | ts[p + 2]) - 4, i + 188)  # before the CRC
                if pid == 0:  # PAT: program, PMT PID
                    for q in range(p + 8, end - 3, 4):
                        if (ts[q] << 8) | ts[q + 1]:
                            self.pmt = ((ts[q + 2] & 0x1F) << 8) | ts[q + 3]
                            break
                else:  # PMT: stream type, PID, ES info
                    q = p + 12 + (((ts[p + 10] & 0x0F) << 8) | ts[p + 11])
                    while q + 5 <= end:
                        if ts[q] in (0x1B, 0x24) and self.vpid is None:  # H.264, H.265
                            self.vpid = ((ts[q + 1] & 0x1F) << 8) | ts[q + 2]
                        q += 5 + (((ts[q + 3] & 0x0F) << 8) | ts[q + 4])
        return n


class HlsClient:
    """An HLS player over one keep-alive HTTP connection: playlist, new segments, playlist every 1 s."""
    kind = "hls"

    def __init__(self, port, path, sel):
        self.port, self.path, self.sel = port, path, sel
        self.frames = self.segments = self.bytes = self.reopened = 0
        self.error, self.cookie, self.buf, self.queue, self.seen = None, "", bytearray(), [], set()
        self.count, self.next_poll, self.busy, self.reopen_next, self.first = TsVideoFrames(), 0.0, False, False, True
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.setblocking(False)
        self.get(path)

    def reopen(self):
        self.reopened += 1
        if self.reopened > 50:
            raise RuntimeError("the server keeps closing the connection")
        with contextlib.suppress(KeyError, ValueError):
            self.sel.unregister(self.sock)
        self.sock.close()
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        self.sock.setblocking(False)
        self.sel.register(self.sock, selectors.EVENT_READ, self)
        self.reopen_next = False

    def get(self, path):
        if self.reopen_next:
            self.reopen()
        self.state, self.busy, self.last = ("playlist" if path == self.path else "segment"), True, path
        cookie = f"Cookie: {self.cookie}\r\n" if self.cookie else ""
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nUser-Agent: soak-hls\r\n"
                          f"{cookie}\r\n".encode())

    def tick(self, now):  # the main loop's clock: time for the next playlist?
        if not self.busy and self.error is None and now >= self.next_poll:
            self.get(self.path)

    def on_readable(self):
        data = self.sock.recv(1 << 18)
        if not data:
            if self.buf:
                raise RuntimeError("connection closed by the server mid-answer")
            self.reopen()  # closed between answers (keep-alive timeout/max): reopen, ask again
            if self.busy:
                self.get(self.last)
            return
        self.buf += data
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buf[:end]).decode(errors="replace").split("\r\n")
        if head[0].split()[1:2] != ["200"]:
            raise RuntimeError(f"GET {self.last}: {head[0]!r}")
        h = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in head[1:])}
        if "content-length" not in h:
            raise RuntimeError(f"GET {self.last}: no Content-Length ({h.get('transfer-encoding', '')})")
        blen = int(h["content-length"])
        if len(self.buf) < end + 4 + blen:
            return
        body = bytes(self.buf[end + 4:end + 4 + blen])
        if len(self.buf) > end + 4 + blen:
            raise RuntimeError("unasked-for bytes after an answer")
        self.buf.clear()
        self.reopen_next = h.get("connection", "").lower() == "close"
        if "set-cookie" in h:
            self.cookie = h["set-cookie"].split(";")[0]
        if self.state == "playlist":
            self.next_poll = time.monotonic() + HLS_POLL
            uris = [ln.strip() for ln in body.decode(errors="replace").splitlines() if ln.strip()
                    and not ln.startswith("#")]
            new = [u for u in uris if u not in self.seen]
            self.queue += new[-1:] if self.first else new  # a player starts at the live edge
            self.seen.update(uris)
            self.first = False
        else:
            self.frames += self.count(body)
            self.segments += 1
            self.bytes += len(body)
        if self.queue:
            u = self.queue.pop(0)
            self.get(re.sub(r"^[a-z]+://[^/]+", "", u) if "://" in u or u.startswith("/")
                     else self.path.rsplit("/", 1)[0] + "/" + u)
        else:
            self.busy = False

    def close(self):
        self.sock.close()


class Seat:
    """One client's stay: its kind, when it came, when it leaves, when its first frame was seen."""

    def __init__(self, kind, t0, leave):
        self.kind, self.t0, self.leave, self.first = kind, t0, leave, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentry", default="build/sentry")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rtmp-max", type=int, default=5, help="ffmpeg RTMP players at once (default 5)")
    ap.add_argument("--kinds", default=",".join(KINDS), help="client kinds to mix (default rtsp,rtmp,hls)")
    a = ap.parse_args()
    kinds = [k for k in a.kinds.split(",") if k]
    if not kinds or set(kinds) - set(KINDS) or (kinds == ["rtmp"] and a.rtmp_max < a.clients):
        print(f"soak: --kinds takes some of {','.join(KINDS)} (rtmp alone needs --rtmp-max >= --clients)")
        return 2
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
            rtsp, http, onvif, rtmp = fb.free_ports(4)
            write_config(f"{tmp}/config.ini", rtsp, http, onvif, rtmp)
            argv = [os.path.abspath(a.sentry), "run", "--rw", tmp, "--", f"{tmp}/MediaServer", "-c",
                    f"{tmp}/config.ini", "-l", "3"]
            server = fb.start(argv, f"{tmp}/ms.log", cwd=tmp)
            deadline = time.monotonic() + 20
            up = lambda: all(fb.listening(p) for p in (rtsp, rtmp, http))  # noqa: E731
            while server.poll() is None and not up() and time.monotonic() < deadline:
                time.sleep(0.05)
            if not up():
                print(f"FAIL: MediaServer did not listen on RTSP {rtsp}, RTMP {rtmp} and HTTP {http}\n"
                      f"{fb.log_tail(f'{tmp}/ms.log')}")
                return 1
            url = f"rtsp://127.0.0.1:{rtsp}/live/test"
            rtmp_url, hls_path = f"rtmp://127.0.0.1:{rtmp}/live/test", "/live/test/hls.m3u8"
            push = fb.start(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1",
                             "-i", clip, "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", url], f"{tmp}/push.log")
            deadline = time.monotonic() + 15  # the stream exists, and its first HLS segment, before any player
            while not os.path.exists(f"{tmp}/www/live/test") and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(2)
            sel, live = selectors.DefaultSelector(), {}  # client -> Seat
            stats = {k: {"came": 0, "went": 0, "starved": 0, "errors": 0, "fps": [], "first": []} for k in KINDS}
            samples = []  # (minute, sentry rss kB, sentry fds)

            def leave(c, seat, now):
                st = stats[seat.kind]
                stay = now - seat.t0
                if stay >= MIN_STAY and c.frames == 0:
                    st["starved"] += 1
                    failures.append(f"an {seat.kind} client connected for {stay:.0f} s got no frames ({c.error})")
                if c.error:
                    st["errors"] += 1
                    failures.append(f"an {seat.kind} client ended with an error after {stay:.1f} s: {c.error}")
                if stay >= MIN_STAY:
                    st["fps"].append(c.frames / stay)
                with contextlib.suppress(KeyError, ValueError):
                    sel.unregister(c.sock)
                c.close()
                del live[c]
                st["went"] += 1

            def total(key):
                return sum(s[key] for s in stats.values())

            start = time.monotonic()
            end = start + a.minutes * 60
            next_minute = start + 60
            print(f"{'min':>4} {'sentry RSS MB':>13} {'sentry fds':>10} {'server RSS MB':>13} {'server fds':>10} "
                  f"{'came':>6} {'went':>6} {'no frames':>9} {'errors':>6} {'came rtsp/rtmp/hls':>18}")
            while time.monotonic() < end and server.poll() is None:
                now = time.monotonic()
                reap()
                for c, seat in list(live.items()):  # those whose time is up leave
                    if seat.first is None and c.frames:
                        seat.first = now - seat.t0
                        stats[seat.kind]["first"].append(seat.first)
                    if now >= seat.leave or c.error:
                        leave(c, seat, now)
                while len(live) < a.clients:  # and new ones come
                    kind = rnd.choice(kinds)
                    rtmps = sum(1 for s in live.values() if s.kind == "rtmp") + len(DYING)  # ffmpegs running
                    if kind == "rtmp" and rtmps >= a.rtmp_max:
                        kind = rnd.choice([k for k in kinds if k != "rtmp"])
                    try:
                        c = (RtspClient(url, rtsp) if kind == "rtsp" else RtmpClient(rtmp_url, f"{tmp}/rtmp.log")
                             if kind == "rtmp" else HlsClient(http, hls_path, sel))
                    except OSError as e:
                        failures.append(f"{kind} connect failed: {e}")
                        break
                    sel.register(c.sock, selectors.EVENT_READ, c)
                    live[c] = Seat(kind, now, now + rnd.uniform(2, 20))
                    stats[kind]["came"] += 1
                for c in live:
                    if isinstance(c, HlsClient):
                        try:
                            c.tick(now)
                        except Exception as e:  # noqa: BLE001 - any client error is that client's
                            c.error = f"{c.state}: {e}"
                fb.pump(sel, min(time.monotonic() + 0.5, end))
                if time.monotonic() >= next_minute:
                    minute = round((time.monotonic() - start) / 60)
                    s_rss, s_fds = status_of(server.pid)
                    g = guest_pid(server.pid)
                    g_rss, g_fds = status_of(g) if g else (None, None)
                    samples.append((minute, s_rss, s_fds))
                    mb = lambda kb: f"{kb / 1024:.1f}" if kb else "-"  # noqa: E731
                    per = "/".join(str(stats[k]["came"]) for k in KINDS)
                    print(f"{minute:4} {mb(s_rss):>13} {s_fds or '-':>10} {mb(g_rss):>13} {g_fds or '-':>10} "
                          f"{total('came'):6} {total('went'):6} {total('starved'):9} {total('errors'):6} {per:>18}",
                          flush=True)
                    next_minute += 60
            if server.poll() is not None:
                failures.append(f"sentry/MediaServer exited ({server.returncode}) during the soak")
            if push.poll() is not None:
                failures.append(f"the ffmpeg push exited ({push.returncode}) during the soak\n"
                                f"{fb.log_tail(f'{tmp}/push.log')}")
            now = time.monotonic()
            for c, seat in list(live.items()):  # the end: everyone still here is checked and leaves
                leave(c, seat, now)
            reap(force=True)
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
            print(f"clients: {total('came')} came, {total('went')} went, {total('starved')} got no frames, "
                  f"{total('errors')} ended with an error")
            print(f"{'kind':>4} {'came':>6} {'went':>6} {'no frames':>9} {'errors':>6} "
                  f"{'frames/s (stayed >=' + str(MIN_STAY) + ' s)':>25} {'first frame s median/max':>24}")
            for k in kinds:
                st = stats[k]
                fps = f"{statistics.median(st['fps']):.1f}" if st["fps"] else "-"
                first = f"{statistics.median(st['first']):.1f}/{max(st['first']):.1f}" if st["first"] else "-"
                print(f"{k:>4} {st['came']:6} {st['went']:6} {st['starved']:9} {st['errors']:6} {fps:>25} {first:>24}")
        finally:
            fb.cleanup()
            reap(force=True)
    for f in failures[:20]:
        print("FAIL:", f)
    print("soak:", "FAILED" if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
