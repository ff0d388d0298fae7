#!/usr/bin/env python3
"""Check an HLS output against the input it was made from, or against a reference.

  stream_check.py --input IN.mp4 --hls OUT/index.m3u8 [--mode copy] [--json]
  stream_check.py --hls OUT/index.m3u8 --mode reencode --reference REF [--input IN] [--json]
  stream_check.py --self-test

The playlist is checked first: every listed segment must exist and be non-empty,
and #EXT-X-ENDLIST must be present (unless --live-ok). The segments are then
concatenated (in playlist order, after the #EXT-X-MAP init section if any) and
decoded with ffmpeg's framemd5 muxer, one MD5 per decoded video frame and per
decoded audio frame.

copy mode: the decoded frames of the output must equal the decoded frames of
  the input, in order, same count. Timestamps are NOT compared (HLS muxing
  shifts them); only the sequence of frame hashes is. An MP4 input may carry an
  edit list (e.g. hiding the AAC priming frame) that MPEG-TS cannot carry, so
  the input is decoded both with its edit list applied and ignored, and the
  output may match either.
reencode mode: the decoded frames of the output must equal those of the
  reference, which the caller produced natively with the same (deterministic)
  encoding command.

--allow-tail-loss tolerates frames missing at the very END of the output (e.g.
the last AAC frame an RTP packetizer still held back when the stream was torn
down). Every such frame is reported. Nothing else is tolerated: a missing or
different frame anywhere before the end is a mismatch.

Exit status: 0 match, 1 mismatch or missing/broken segment, 2 usage error (or
ffmpeg/ffprobe unavailable). --self-test exits 0/1, or 77 if it cannot run.
Standard library only.
"""

import argparse
import concurrent.futures
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile

KINDS = ("video", "audio")
KIND_SPEC = {"video": "v", "audio": "a"}


class UsageError(Exception):
    pass


# ---------------------------------------------------------------------------
# Playlist
# ---------------------------------------------------------------------------

def parse_playlist(path):
    """Parse a media playlist. Returns a dict; problems are fatal, warnings not."""
    info = {"path": path, "segments": [], "endlist": False, "target_duration": None,
            "media_sequence": None, "map": None, "listed_duration": 0.0,
            "problems": [], "warnings": []}
    try:
        with open(path, "r", encoding="utf-8", errors="replace") as f:
            lines = [ln.strip() for ln in f.read().splitlines()]
    except OSError as e:
        info["problems"].append(f"cannot read playlist {path}: {e.strerror}")
        return info
    base = os.path.dirname(os.path.abspath(path))
    if not lines or lines[0].lstrip("\ufeff") != "#EXTM3U":
        info["problems"].append(f"{path}: first line is not #EXTM3U")

    def resolve(uri):
        if "://" in uri:
            info["problems"].append(f"remote URI not supported: {uri}")
            return None
        return uri if os.path.isabs(uri) else os.path.join(base, uri)

    pending = None  # EXTINF duration waiting for its URI
    for n, ln in enumerate(lines, 1):
        if not ln:
            continue
        if ln.startswith("#"):
            tag, _, value = ln.partition(":")
            if tag == "#EXTINF":
                try:
                    pending = float(value.split(",", 1)[0])
                except ValueError:
                    info["problems"].append(f"{path}:{n}: bad #EXTINF: {ln}")
                    pending = 0.0
            elif tag == "#EXT-X-ENDLIST":
                info["endlist"] = True
            elif tag == "#EXT-X-TARGETDURATION":
                try:
                    info["target_duration"] = int(value)
                except ValueError:
                    info["problems"].append(f"{path}:{n}: bad #EXT-X-TARGETDURATION: {ln}")
            elif tag == "#EXT-X-MEDIA-SEQUENCE":
                info["media_sequence"] = value
            elif tag == "#EXT-X-STREAM-INF":
                info["problems"].append(f"{path}: is a master playlist; pass a media playlist")
            elif tag == "#EXT-X-BYTERANGE":
                info["problems"].append(f"{path}:{n}: #EXT-X-BYTERANGE is not supported")
            elif tag == "#EXT-X-MAP":
                uri = None
                for attr in value.split(","):
                    k, _, v = attr.partition("=")
                    if k.strip() == "URI":
                        uri = v.strip().strip('"')
                if uri is None:
                    info["problems"].append(f"{path}:{n}: #EXT-X-MAP without URI")
                else:
                    p = resolve(uri)
                    info["map"] = {"uri": uri, "path": p,
                                   "bytes": os.path.getsize(p) if p and os.path.isfile(p) else None}
                    if p and info["map"]["bytes"] is None:
                        info["problems"].append(f"init section missing: {uri}")
            continue
        # A URI line.
        if pending is None:
            info["problems"].append(f"{path}:{n}: segment {ln} has no #EXTINF")
            pending = 0.0
        seg = {"uri": ln, "duration": pending, "path": resolve(ln), "bytes": None}
        pending = None
        if seg["path"] is not None:
            if not os.path.isfile(seg["path"]):
                info["problems"].append(f"segment missing: {ln}")
            else:
                seg["bytes"] = os.path.getsize(seg["path"])
                if seg["bytes"] == 0:
                    info["problems"].append(f"segment empty: {ln}")
        info["segments"].append(seg)
        info["listed_duration"] += seg["duration"]
    if pending is not None:
        info["problems"].append(f"{path}: #EXTINF at the end without a segment URI")
    if not info["segments"]:
        info["problems"].append(f"{path}: lists no segments")
    if info["target_duration"] is None:
        info["warnings"].append("no #EXT-X-TARGETDURATION")
    else:
        for seg in info["segments"]:
            if round(seg["duration"]) > info["target_duration"]:
                info["warnings"].append(
                    f"segment {seg['uri']} lasts {seg['duration']:.3f} s, more than "
                    f"#EXT-X-TARGETDURATION {info['target_duration']}")
    info["listed_duration"] = round(info["listed_duration"], 6)
    return info


def is_playlist(path):
    if path.lower().endswith((".m3u8", ".m3u")):
        return True
    try:
        with open(path, "rb") as f:
            return f.read(7) == b"#EXTM3U"
    except OSError:
        return False


def concat_segments(pl, workdir, name):
    """Concatenate the playlist's existing segments into one file for analysis."""
    ext = ".mp4" if pl["map"] else ".ts"
    out = os.path.join(workdir, name + ext)
    with open(out, "wb") as o:
        parts = ([pl["map"]["path"]] if pl["map"] and pl["map"]["bytes"] else []) + \
                [s["path"] for s in pl["segments"] if s["bytes"]]
        for p in parts:
            with open(p, "rb") as i:
                shutil.copyfileobj(i, o)
    return out


# ---------------------------------------------------------------------------
# ffmpeg / ffprobe
# ---------------------------------------------------------------------------

def run(cmd):
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


def probe(path):
    """Format name, duration and the kinds of streams present."""
    r = run(["ffprobe", "-v", "error", "-show_entries",
             "format=format_name,duration:stream=codec_type,codec_name",
             "-of", "json", path])
    if r.returncode != 0:
        return None, r.stderr.strip()
    d = json.loads(r.stdout or "{}")
    fmt = d.get("format", {})
    dur = fmt.get("duration")
    streams = {}
    for s in d.get("streams", []):
        t = s.get("codec_type")
        if t in KINDS and t not in streams:
            streams[t] = s.get("codec_name")
    return {"format": fmt.get("format_name"),
            "duration": float(dur) if dur not in (None, "N/A") else None,
            "streams": streams}, None


def frame_hashes(path, kind, ignore_editlist=False):
    """MD5 of every decoded frame of the first stream of KIND, in decode-output order."""
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-threads", "1"]
    if ignore_editlist:
        cmd += ["-ignore_editlist", "1"]
    cmd += ["-i", path, "-map", f"0:{KIND_SPEC[kind]}:0", "-f", "framemd5", "-"]
    r = run(cmd)
    hashes = []
    for ln in r.stdout.splitlines():
        if not ln or ln.startswith("#"):
            continue
        fields = [f.strip() for f in ln.split(",")]
        if len(fields) >= 6:
            hashes.append(fields[5])
    errors = [ln for ln in r.stderr.splitlines() if ln.strip()]
    if r.returncode != 0:
        errors.insert(0, f"ffmpeg exited with {r.returncode} decoding {kind} of {path}")
    return hashes, errors


class Media:
    """One side of the comparison: a file or a playlist, decoded."""

    def __init__(self, role, path, workdir, live_ok=False, both_editlists=False):
        self.role, self.path = role, path
        self.playlist = None
        self.problems, self.warnings = [], []
        self.analysed = path
        if is_playlist(path):
            self.playlist = parse_playlist(path)
            self.problems += self.playlist["problems"]
            self.warnings += self.playlist["warnings"]
            if not self.playlist["endlist"]:
                msg = f"{path}: no #EXT-X-ENDLIST (stream did not end cleanly)"
                (self.warnings if live_ok else self.problems).append(msg)
            self.analysed = concat_segments(self.playlist, workdir, role)
        elif not os.path.isfile(path):
            self.problems.append(f"{role} {path} does not exist")
            self.info, self.hashes, self.alt_hashes = None, {}, {}
            return
        self.info, err = probe(self.analysed)
        self.hashes, self.alt_hashes = {}, {}
        if self.info is None:
            self.problems.append(f"{role} {path}: ffprobe cannot read it: {err}")
            return
        mov = "mov" in (self.info["format"] or "")
        jobs = [(kind, False) for kind in self.info["streams"]]
        if both_editlists and mov:
            jobs += [(kind, True) for kind in self.info["streams"]]
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(jobs) or 1) as pool:
            results = dict(zip(jobs, pool.map(lambda j: frame_hashes(self.analysed, j[0], j[1]), jobs)))
        for kind in self.info["streams"]:
            h, errs = results[(kind, False)]
            self.hashes[kind] = h
            if errs:
                self.warnings.append(f"{role} {kind} decode: " + "; ".join(errs[:3]) +
                                     (f" (+{len(errs) - 3} more)" if len(errs) > 3 else ""))
            if (kind, True) in results and results[(kind, True)][0] != h:
                self.alt_hashes[kind] = results[(kind, True)][0]

    def summary(self):
        d = {"path": self.path,
             "duration": self.info["duration"] if self.info else None,
             "frames": {k: len(v) for k, v in self.hashes.items()}}
        if self.alt_hashes:
            d["frames_edit_list_ignored"] = {k: len(v) for k, v in self.alt_hashes.items()}
        if self.info:
            d["codecs"] = self.info["streams"]
        if self.playlist is not None:
            pl = self.playlist
            d["playlist"] = {"segments": [{"uri": s["uri"], "duration": s["duration"], "bytes": s["bytes"]}
                                          for s in pl["segments"]],
                             "listed_duration": pl["listed_duration"],
                             "target_duration": pl["target_duration"],
                             "endlist": pl["endlist"],
                             "init_section": pl["map"]["uri"] if pl["map"] else None}
        return d


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------

def compare_seq(expected, actual):
    n = min(len(expected), len(actual))
    first = next((i for i in range(n) if expected[i] != actual[i]), None)
    if first is None and len(actual) > len(expected):
        first = len(expected)  # extra frames
    matched = first if first is not None else n
    return {"expected": len(expected), "actual": len(actual), "matched": matched,
            "first_mismatch": first,
            "tail_missing": len(expected) - len(actual) if first is None else None}


def compare(exp, out, allow_tail):
    """Per-stream verdicts of OUT against EXP."""
    streams, problems = {}, []
    for kind in KINDS:
        e_has, o_has = kind in exp.hashes, kind in out.hashes
        if not e_has and not o_has:
            continue
        if e_has and not o_has:
            streams[kind] = {"ok": False, "expected": len(exp.hashes[kind]), "actual": 0,
                             "matched": 0, "first_mismatch": 0, "tail_missing": None,
                             "note": "stream missing from the output"}
            problems.append(f"{kind}: stream missing from the output")
            continue
        if o_has and not e_has:
            streams[kind] = {"ok": False, "expected": 0, "actual": len(out.hashes[kind]),
                             "matched": 0, "first_mismatch": 0, "tail_missing": None,
                             "note": f"output has a {kind} stream the {exp.role} has not"}
            problems.append(f"{kind}: unexpected stream in the output")
            continue
        candidates = [("applied", exp.hashes[kind])]
        if kind in exp.alt_hashes:
            candidates.append(("ignored", exp.alt_hashes[kind]))
        best = None
        for label, seq in candidates:
            c = compare_seq(seq, out.hashes[kind])
            c["ok"] = c["first_mismatch"] is None and c["tail_missing"] <= allow_tail.get(kind, 0)
            if len(candidates) > 1:
                c["input_edit_list"] = label
            key = (c["ok"], c["first_mismatch"] is None, c["matched"],
                   -(c["tail_missing"] or 0))
            if best is None or key > best[0]:
                best = (key, c)
        c = best[1]
        c["allowed_tail_loss"] = allow_tail.get(kind, 0)
        if c["first_mismatch"] is not None:
            if c["first_mismatch"] >= c["expected"]:
                problems.append(f"{kind}: {c['actual'] - c['expected']} extra frame(s) after "
                                f"the {c['expected']} expected")
            elif c["first_mismatch"] >= c["actual"]:
                problems.append(f"{kind}: output ends after {c['actual']} of "
                                f"{c['expected']} frames")  # unreachable: tail handled above
            else:
                problems.append(f"{kind}: first mismatching frame {c['first_mismatch']} "
                                f"({c['expected']} expected, {c['actual']} in the output)")
        elif not c["ok"]:
            problems.append(f"{kind}: {c['tail_missing']} frame(s) missing at the end "
                            f"(allowed: {c['allowed_tail_loss']})")
        streams[kind] = c
    return streams, problems


# ---------------------------------------------------------------------------
# Main check
# ---------------------------------------------------------------------------

def parse_tail(spec):
    """'N' (every stream) or 'video=N,audio=M'."""
    out = {k: 0 for k in KINDS}
    if spec is None:
        return out
    try:
        if "=" not in spec:
            n = int(spec)
            if n < 0:
                raise ValueError
            return {k: n for k in KINDS}
        for part in spec.split(","):
            k, _, v = part.partition("=")
            k = k.strip()
            if k not in KINDS or int(v) < 0:
                raise ValueError
            out[k] = int(v)
        return out
    except ValueError:
        raise UsageError(f"bad --allow-tail-loss {spec!r}: want N or video=N,audio=M")


def check(args):
    allow_tail = parse_tail(args.allow_tail_loss)
    with tempfile.TemporaryDirectory(prefix="stream_check.") as work:
        out = Media("output", args.hls, work, live_ok=args.live_ok)
        if args.mode == "copy":
            exp = Media("input", args.input, work, both_editlists=True)
            other = None
        else:
            exp = Media("reference", args.reference, work, live_ok=args.live_ok)
            other = Media("input", args.input, work) if args.input else None
        problems = list(out.problems) + list(exp.problems)
        warnings = list(out.warnings) + list(exp.warnings)
        if other:
            warnings += other.problems + other.warnings
        streams = {}
        if not exp.problems and exp.info is not None and out.info is not None:
            streams, cmp_problems = compare(exp, out, allow_tail)
            problems += cmp_problems
            if not streams:
                problems.append(f"no video or audio stream in the {exp.role} or the output")
        result = "OK" if not problems else "MISMATCH"
        report = {"result": result, "mode": args.mode,
                  "output": out.summary(), exp.role: exp.summary(),
                  "streams": streams, "problems": problems, "warnings": warnings}
        if other:
            report["input"] = other.summary()
    return report


def fmt_dur(d):
    return "?" if d is None else f"{d:.3f} s"


def fmt_frames(m):
    alt = m.get("frames_edit_list_ignored", {})
    return ", ".join(f"{k} {v} frames" + (f" ({alt[k]} with the edit list ignored)" if k in alt else "")
                     for k, v in m.get("frames", {}).items()) or "no frames"


def print_human(r, exp_role):
    print(f"stream_check: {r['result']} ({r['mode']} mode)")
    o = r["output"]
    pl = o.get("playlist")
    if pl:
        print(f"  playlist: {o['path']}: {len(pl['segments'])} segment(s), "
              f"{pl['listed_duration']:.3f} s listed, ENDLIST {'present' if pl['endlist'] else 'ABSENT'}")
    for role in ("input", "reference"):
        if role in r:
            e = r[role]
            print(f"  {role}: {e['path']}: duration {fmt_dur(e['duration'])}, {fmt_frames(e)}")
    print(f"  output: duration {fmt_dur(o['duration'])}, {fmt_frames(o)}")
    for kind, c in r["streams"].items():
        if c.get("note"):
            line = c["note"]
        elif c["first_mismatch"] is not None:
            line = (f"first mismatching frame {c['first_mismatch']} "
                    f"({c['matched']} identical before it; {c['expected']} expected, {c['actual']} output)")
        else:
            line = f"{c['actual']}/{c['expected']} frames identical"
            if c["tail_missing"]:
                line += f"; {c['tail_missing']} missing at the end (allowed: {c['allowed_tail_loss']})"
        if c.get("input_edit_list") == "ignored":
            line += "; matched with the input's edit list ignored (MPEG-TS cannot carry it)"
        print(f"  {kind}: {'ok' if c['ok'] else 'MISMATCH'}: {line}")
    for p in r["problems"]:
        print(f"  problem: {p}")
    for w in r["warnings"]:
        print(f"  warning: {w}")


def tools_available():
    return shutil.which("ffmpeg") and shutil.which("ffprobe")


# ---------------------------------------------------------------------------
# Self-test
# ---------------------------------------------------------------------------

def self_test():
    if not tools_available():
        print("SKIP: ffmpeg/ffprobe not found")
        return 77
    me = [sys.executable, os.path.abspath(__file__)]
    failures = 0

    def ffmpeg(*a):
        r = run(["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y", *a])
        if r.returncode != 0:
            raise RuntimeError(f"ffmpeg {' '.join(a)} failed: {r.stderr.strip()}")

    def expect(desc, want_rc, argv, want_text=None):
        nonlocal failures
        r = run(me + argv)
        text = r.stdout + r.stderr
        good = r.returncode == want_rc and (want_text is None or want_text in text)
        if good:
            print(f"ok: {desc} (exit {r.returncode})")
        else:
            failures += 1
            print(f"FAIL: {desc}: expected exit {want_rc}" +
                  (f" and text {want_text!r}" if want_text else "") + f", got exit {r.returncode}")
            print("  | " + "\n  | ".join(text.rstrip().splitlines()))
        return r

    with tempfile.TemporaryDirectory(prefix="stream_check_selftest.") as d:
        clip = os.path.join(d, "in.mp4")
        enc = ["-c:v", "libx264", "-preset", "veryfast", "-threads", "1", "-g", "12",
               "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k"]
        try:
            ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=25:duration=2",
                   "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=2",
                   *enc, "-shortest", clip)
        except RuntimeError as e:
            print(f"SKIP: cannot make the test clip (libx264/aac missing?): {e}")
            return 77

        def hls(src, outdir, *opts):
            os.makedirs(outdir)
            m3u8 = os.path.join(outdir, "index.m3u8")
            ffmpeg("-i", src, *opts, "-f", "hls", "-hls_time", "0.5", "-hls_list_size", "0", m3u8)
            return m3u8

        good = hls(clip, os.path.join(d, "good"), "-c", "copy")
        segs = sorted(f for f in os.listdir(os.path.dirname(good)) if f.endswith(".ts"))
        if len(segs) < 3:
            print(f"FAIL: expected at least 3 segments, got {segs}")
            return 1

        expect("copy of the input matches", 0, ["--input", clip, "--hls", good], "OK")
        r = expect("--json gives a machine-readable OK", 0, ["--input", clip, "--hls", good, "--json"])
        try:
            j = json.loads(r.stdout)
            assert j["result"] == "OK" and j["streams"]["video"]["actual"] == 50, j["streams"]
            assert j["streams"]["audio"]["first_mismatch"] is None
            print("ok: JSON has result, frame counts, first_mismatch")
        except (ValueError, KeyError, AssertionError) as e:
            failures += 1
            print(f"FAIL: JSON output: {e!r}")

        def variant(name):
            """A fresh copy of the good HLS directory to damage."""
            dst = os.path.join(d, name)
            shutil.copytree(os.path.dirname(good), dst)
            return os.path.join(dst, "index.m3u8"), dst

        # Corrupt the middle of a middle segment (keep its size).
        m3u8, dst = variant("corrupt")
        victim = os.path.join(dst, segs[len(segs) // 2])
        size = os.path.getsize(victim)
        with open(victim, "r+b") as f:
            f.seek(size // 3)
            f.write(bytes((i * 37 + 11) & 0xFF for i in range(min(4000, size // 3))))
        expect("corrupted segment -> MISMATCH", 1, ["--input", clip, "--hls", m3u8],
               "first mismatching frame")

        # A listed segment file is gone.
        m3u8, dst = variant("missing")
        os.remove(os.path.join(dst, segs[1]))
        expect("missing segment file -> MISMATCH", 1, ["--input", clip, "--hls", m3u8],
               "segment missing: " + segs[1])

        # A listed segment is empty.
        m3u8, dst = variant("empty")
        open(os.path.join(dst, segs[1]), "w").close()
        expect("empty segment file -> MISMATCH", 1, ["--input", clip, "--hls", m3u8],
               "segment empty: " + segs[1])

        # A segment dropped from the playlist (consistent playlist, frames gone).
        m3u8, dst = variant("dropped")
        with open(m3u8) as f:
            lines = f.read().splitlines()
        i = lines.index(segs[1])
        del lines[i - 1:i + 1]
        with open(m3u8, "w") as f:
            f.write("\n".join(lines) + "\n")
        expect("segment dropped from the playlist -> MISMATCH", 1,
               ["--input", clip, "--hls", m3u8], "first mismatching frame")

        # The last segment dropped: frames missing at the end only.
        m3u8, dst = variant("tail")
        with open(m3u8) as f:
            lines = f.read().splitlines()
        i = lines.index(segs[-1])
        del lines[i - 1:i + 1]
        with open(m3u8, "w") as f:
            f.write("\n".join(lines) + "\n")
        expect("last segment dropped -> MISMATCH", 1, ["--input", clip, "--hls", m3u8],
               "missing at the end")
        expect("last segment dropped, --allow-tail-loss 100 -> OK", 0,
               ["--input", clip, "--hls", m3u8, "--allow-tail-loss", "100"], "missing at the end")
        expect("last segment dropped, audio-only tolerance -> MISMATCH", 1,
               ["--input", clip, "--hls", m3u8, "--allow-tail-loss", "audio=100"])

        # No ENDLIST: a failure unless --live-ok.
        m3u8, dst = variant("live")
        with open(m3u8) as f:
            text = f.read().replace("#EXT-X-ENDLIST\n", "")
        with open(m3u8, "w") as f:
            f.write(text)
        expect("missing ENDLIST -> MISMATCH", 1, ["--input", clip, "--hls", m3u8], "EXT-X-ENDLIST")
        expect("missing ENDLIST with --live-ok -> OK", 0,
               ["--input", clip, "--hls", m3u8, "--live-ok"], "ENDLIST ABSENT")

        # Output lacking the audio stream.
        noaudio = hls(clip, os.path.join(d, "noaudio"), "-map", "0:v", "-c", "copy")
        expect("audio stream missing -> MISMATCH", 1, ["--input", clip, "--hls", noaudio],
               "stream missing")

        # Reencode mode: the same deterministic encode twice matches; other settings do not.
        renc = ["-c:v", "libx264", "-preset", "veryfast", "-threads", "1", "-g", "12",
                "-c:a", "aac", "-b:a", "48k"]
        ref = os.path.join(d, "ref.ts")
        ffmpeg("-i", clip, *renc, "-f", "mpegts", ref)
        enc1 = hls(clip, os.path.join(d, "renc1"), *renc)
        expect("reencode: same settings match the reference", 0,
               ["--mode", "reencode", "--reference", ref, "--hls", enc1, "--input", clip], "OK")
        enc2 = hls(clip, os.path.join(d, "renc2"), *renc[:-4], "-crf", "35", *renc[-4:])
        expect("reencode: different settings -> MISMATCH", 1,
               ["--mode", "reencode", "--reference", ref, "--hls", enc2], "first mismatching frame 0")
        expect("reencode: a playlist as the reference", 0,
               ["--mode", "reencode", "--reference", enc1, "--hls", enc1])

        # Usage errors.
        expect("usage: no --hls -> exit 2", 2, ["--input", clip])
        expect("usage: reencode without --reference -> exit 2", 2,
               ["--mode", "reencode", "--hls", good])
        expect("usage: bad --allow-tail-loss -> exit 2", 2,
               ["--input", clip, "--hls", good, "--allow-tail-loss", "video=x"])

    print("self-test:", "FAILED" if failures else "passed")
    return 1 if failures else 0


# ---------------------------------------------------------------------------

def main(argv):
    ap = argparse.ArgumentParser(
        description="Check HLS output frame-by-frame against its input (copy) or a native reference (reencode).")
    ap.add_argument("--input", help="the source the stream was made from (required in copy mode)")
    ap.add_argument("--hls", help="the output media playlist (or a single media file)")
    ap.add_argument("--mode", choices=("copy", "reencode"), default="copy")
    ap.add_argument("--reference", help="reencode mode: natively produced HLS playlist, TS or MP4")
    ap.add_argument("--live-ok", action="store_true",
                    help="report, but accept, a playlist without #EXT-X-ENDLIST")
    ap.add_argument("--allow-tail-loss", metavar="N|video=N,audio=M",
                    help="accept up to N frames missing at the very end of the output (default 0)")
    ap.add_argument("--json", action="store_true", help="print a JSON object instead of the summary")
    ap.add_argument("--self-test", action="store_true", help="test this tool and exit")
    args = ap.parse_args(argv)
    if args.self_test:
        return self_test()
    try:
        if not args.hls:
            raise UsageError("--hls is required")
        if args.mode == "copy" and not args.input:
            raise UsageError("copy mode needs --input")
        if args.mode == "reencode" and not args.reference:
            raise UsageError("reencode mode needs --reference")
        if args.mode == "copy" and args.reference:
            raise UsageError("--reference is for --mode reencode")
        parse_tail(args.allow_tail_loss)
    except UsageError as e:
        ap.error(str(e))  # exits 2
    if not tools_available():
        print("stream_check: ffmpeg and ffprobe are required", file=sys.stderr)
        return 2
    report = check(args)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print_human(report, "input" if args.mode == "copy" else "reference")
    return 0 if report["result"] == "OK" else 1


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under `| head`
    sys.exit(main(sys.argv[1:]))
