#!/usr/bin/env python3
"""Host-side helpers for run_hostile.sh (they run OUTSIDE the sandbox).

Subcommands:
  victim LOG READY TOKEN          a process to attack: new session, SIGURG
                                  handler that appends to LOG, writes READY once
                                  set up, then sleeps forever (its environment,
                                  fd 3 and cwd are set up by the caller)
  servers DIR ABS_STREAM ABS_DGRAM PATH_SOCK
                                  host listeners whose log must stay empty:
                                  abstract stream + dgram unix sockets, a 0600
                                  path socket, plus an AF_PACKET sniffer on lo
                                  logging frames that carry b"HOSTILE-NET-", and
                                  an allowed [::1] TCP listener (its port goes
                                  to DIR/tcp6.port). Events go to DIR/events.log,
                                  DIR/ready is written once everything listens.
  session-exec DESC -- CMD...     join a new anonymous session keyring linking
                                  the user keyring (as after a login), add a
                                  "user" key DESC whose payload is the env var
                                  HOSTILE_SESSION_PAYLOAD, then exec CMD
  key-add-user DESC PAYLOAD       add a "user" key to the caller's user keyring,
                                  readable by the same uid
  key-find KEYRING DESC           exit 0 if a "user" key DESC is reachable from
                                  KEYRING (user|session), printing its id
  key-unlink-user DESC            remove key DESC from the user keyring
  shm-create KEY PAYLOAD          SysV shm segment (mode 0666) holding PAYLOAD
  shm-remove KEY
  pty-run OUT TIMEOUT -- CMD...    run CMD on a new pty (as its controlling
                                  terminal), copy everything the pty master
                                  reads to OUT, kill CMD after TIMEOUT seconds
Only the standard library is used (keyctl and SysV shm through ctypes).
"""
import ctypes
import os
import pty
import select
import selectors
import signal
import socket
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

SYS_add_key = 248
SYS_keyctl = 250
KEY_SPEC_SESSION_KEYRING = -3
KEY_SPEC_USER_KEYRING = -4
KEYCTL_SETPERM = 5
KEYCTL_LINK = 8
KEYCTL_UNLINK = 9
KEYCTL_SEARCH = 10
KEYCTL_JOIN_SESSION_KEYRING = 1


def keyctl(*args):
    cargs = [ctypes.c_long(a) if isinstance(a, int) else a for a in args]
    r = libc.syscall(ctypes.c_long(SYS_keyctl), *cargs)
    if r < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return r


def add_key(desc, payload, ring):
    p = payload.encode()
    r = libc.syscall(ctypes.c_long(SYS_add_key), ctypes.c_char_p(b"user"), ctypes.c_char_p(desc.encode()),
                     ctypes.c_char_p(p), ctypes.c_size_t(len(p)), ctypes.c_long(ring))
    if r < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return r


def key_search(ring, desc):
    return keyctl(KEYCTL_SEARCH, ctypes.c_long(ring), ctypes.c_char_p(b"user"),
                  ctypes.c_char_p(desc.encode()), ctypes.c_long(0))


RINGS = {"user": KEY_SPEC_USER_KEYRING, "session": KEY_SPEC_SESSION_KEYRING}


def victim(log, ready, token):
    del token  # only there so that it appears in /proc/<pid>/cmdline
    os.setsid()

    def on_sigurg(signum, frame):
        with open(log, "a") as f:
            f.write("SIGURG received\n")
    signal.signal(signal.SIGURG, on_sigurg)
    with open(ready, "w") as f:
        f.write("ready\n")
    while True:
        signal.pause()


def servers(d, abs_stream, abs_dgram, path_sock):
    log = open(os.path.join(d, "events.log"), "a", buffering=1)

    def event(what, data=b""):
        log.write("%s %s\n" % (what, data[:200].decode("latin-1").encode("unicode_escape").decode()))

    st = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    st.bind(b"\0" + abs_stream.encode())
    st.listen(64)
    dg = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    dg.bind(b"\0" + abs_dgram.encode())
    ps = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ps.bind(path_sock)
    os.chmod(path_sock, 0o600)
    ps.listen(16)
    t6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    t6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t6.bind(("::1", 0))
    t6.listen(1024)
    with open(os.path.join(d, "tcp6.port"), "w") as f:
        f.write("%d\n" % t6.getsockname()[1])
    sniffer = None
    try:
        sniffer = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        sniffer.bind(("lo", 0))
    except OSError as e:
        with open(os.path.join(d, "sniffer.unavailable"), "w") as f:
            f.write("%s\n" % e)
        sniffer = None
    with open(os.path.join(d, "ready"), "w") as f:
        f.write("ready\n")
    sel = selectors.DefaultSelector()  # epoll: no limit on fd numbers
    for s in [st, dg, ps, t6] + ([sniffer] if sniffer else []):
        sel.register(s, selectors.EVENT_READ)
    conns = {}  # accepted unix connection -> its listener's kind
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            if s is st or s is ps:
                c, _ = s.accept()
                conns[c] = "abstract" if s is st else "path"
                sel.register(c, selectors.EVENT_READ)
                event("CONNECT-%s" % conns[c])
            elif s in conns:
                try:
                    data = s.recv(256)
                except OSError:
                    data = b""
                if data:
                    event("DATA-%s" % conns[s], data)
                sel.unregister(s)
                s.close()
                del conns[s]
            elif s is dg:
                event("DGRAM-abstract", dg.recv(4096))
            elif s is t6:
                c, _ = t6.accept()  # the allowed target of race_connect
                c.close()
            else:
                data = sniffer.recv(65536)
                if b"HOSTILE-NET-" in data:
                    i = data.index(b"HOSTILE-NET-")
                    event("FRAME-on-host-lo", data[i:i + 80])


def session_exec(desc, cmd):
    payload = os.environ.get("HOSTILE_SESSION_PAYLOAD", "")
    ok = "0"
    try:
        keyctl(KEYCTL_JOIN_SESSION_KEYRING, ctypes.c_char_p(None))
        # Like a login session (pam_keyinit): the session keyring links the
        # user keyring, so the user's keys are possessed by the session.
        keyctl(KEYCTL_LINK, ctypes.c_long(KEY_SPEC_USER_KEYRING), ctypes.c_long(KEY_SPEC_SESSION_KEYRING))
        add_key(desc, payload, KEY_SPEC_SESSION_KEYRING)
        ok = "1"
    except OSError as e:
        sys.stderr.write("session keyring unavailable: %s\n" % e)
    os.environ["HOSTILE_SESSION_READY"] = ok
    os.execvp(cmd[0], cmd)


def pty_run(out, timeout, cmd):
    pid, fd = pty.fork()  # the child leads a new session; the pty is its terminal
    if pid == 0:
        os.execvp(cmd[0], cmd)
    deadline = time.time() + timeout
    buf = b""
    killed = False
    while True:
        if not killed and time.time() > deadline:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
            buf += b"\n[pty-run: timeout, killed]\n"
            killed = True
        if killed and time.time() > deadline + 5:
            break  # something outside the group still holds the pty
        r, _, _ = select.select([fd], [], [], 0.2)
        if not r:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: every slave side is closed
            chunk = b""
        if not chunk:
            break
        buf += chunk
    _, status = os.waitpid(pid, 0 if not killed else os.WNOHANG)
    with open(out, "wb") as f:
        f.write(buf)
    return os.waitstatus_to_exitcode(status) & 0xff


def main():
    a = sys.argv[1:]
    cmd = a[0] if a else ""
    if cmd == "victim":
        victim(a[1], a[2], a[3])
    elif cmd == "servers":
        servers(a[1], a[2], a[3], a[4])
    elif cmd == "session-exec":
        i = a.index("--")
        session_exec(a[1], a[i + 1:])
    elif cmd == "key-add-user":
        kid = add_key(a[1], a[2], KEY_SPEC_USER_KEYRING)
        # Readable by its user (uid), not only by a possessor: what a key
        # shared between a user's processes looks like.
        keyctl(KEYCTL_SETPERM, ctypes.c_long(kid), ctypes.c_long(0x3f0b0000))
        print(kid)
    elif cmd == "key-find":
        try:
            print(key_search(RINGS[a[1]], a[2]))
        except OSError:
            sys.exit(1)
    elif cmd == "key-unlink-user":
        try:
            kid = key_search(KEY_SPEC_USER_KEYRING, a[1])
            keyctl(KEYCTL_UNLINK, ctypes.c_long(kid), ctypes.c_long(KEY_SPEC_USER_KEYRING))
        except OSError:
            pass
    elif cmd == "shm-create":
        key, payload = int(a[1]), a[2].encode() + b"\0"
        libc.shmat.restype = ctypes.c_void_p
        shmid = libc.shmget(ctypes.c_int(key), ctypes.c_size_t(4096), ctypes.c_int(0o1666))  # IPC_CREAT|0666
        if shmid < 0:
            sys.exit("shmget: %s" % os.strerror(ctypes.get_errno()))
        p = libc.shmat(ctypes.c_int(shmid), None, ctypes.c_int(0))
        ctypes.memmove(p, payload, len(payload))
        libc.shmdt(ctypes.c_void_p(p))
        print(shmid)
    elif cmd == "shm-remove":
        shmid = libc.shmget(ctypes.c_int(int(a[1])), ctypes.c_size_t(0), ctypes.c_int(0))
        if shmid >= 0:
            libc.shmctl(ctypes.c_int(shmid), ctypes.c_int(0), None)  # IPC_RMID
    elif cmd == "pty-run":
        i = a.index("--")
        sys.exit(pty_run(a[1], float(a[2]), a[i + 1:]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
