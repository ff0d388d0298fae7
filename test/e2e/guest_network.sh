#!/bin/bash
# The guest's network from the host's side (issue 11): its TCP and UDP
# sockets are the host's, its abstract unix names are private.
#  * a guest server on a privileged port (bound by sentry for the guest's
#    root), over AF_INET6 and AF_INET, answers a native client;
#  * a guest that dropped to uid 1000 cannot bind a privileged port (EACCES);
#  * an abstract unix name the guest binds is not reachable from the host;
#  * with --network isolated a guest server is not reachable from the host,
#    while the guest reaches itself over its own loopback;
#  * a guest that opens and closes NETLINK_ROUTE sockets (if_nameindex, as
#    getifaddrs does) 400 times leaves sentry's fd count where it was.
# Usage: guest_network.sh SENTRY
set -u
SENTRY=$1
. "$(dirname "$0")/checks.sh"
TMPDIR_NL=$(mktemp)
trap 'rm -f "$TMPDIR_NL"' EXIT
[ "$(id -u)" = 0 ] || { echo "SKIP: privileged ports need sentry to run as root"; exit 77; }
free_low_port() {  # a port below 1024 no TCP socket uses, in any state (TIME_WAIT blocks a bind)
  for p in 873 901 913 981 989 990 992 995; do
    ss -Htan "sport = :$p" | grep -q . || { echo $p; return; }
  done
}
serve() {  # serve FAMILY ADDR PORT [sentry options]: a guest server answering "hello" once
  local fam=$1 addr=$2 port=$3; shift 3
  "$SENTRY" run "$@" -- python3 -c "
import socket, sys
s = socket.socket(socket.$fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$addr', $port)); s.listen(1)
print('listening', flush=True)
s.settimeout(10)
c, _ = s.accept(); c.sendall(b'hello'); c.recv(1); c.close()  # the client closes first: no TIME_WAIT on the port" &
}
fetch() {  # fetch PORT: what a native client reads from 127.0.0.1:PORT
  python3 -c "
import socket, sys, time
for _ in range(100):
    try:
        c = socket.create_connection(('127.0.0.1', $1), timeout=2); print(c.recv(16).decode()); sys.exit(0)
    except OSError:
        time.sleep(0.05)
print('unreachable')"
}

for fam in AF_INET6 AF_INET; do
  port=$(free_low_port)
  addr=$([ $fam = AF_INET6 ] && echo '::' || echo '0.0.0.0')
  serve $fam "$addr" "$port"
  got=$(fetch "$port")
  wait $!
  [ "$got" = hello ] && ok "a guest server on $fam port $port answers a native client" || bad "$fam port $port: $got"
done

out=$("$SENTRY" run --uid 1000 -- python3 -c "
import socket, errno
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
try:
    s.bind(('::', $(free_low_port))); print('bound')
except OSError as e:
    print(errno.errorcode[e.errno])" 2>&1)
[ "$out" = EACCES ] && ok "uid 1000 in the guest cannot bind a privileged port (EACCES)" || bad "unprivileged bind: $out"

name="sentry-e2e-$$"
"$SENTRY" run -- python3 -c "
import socket, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind('\0$name'); s.listen(1); time.sleep(2)" &
RUN=$!
sleep 1
out=$(python3 -c "
import socket
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    c.connect('\0$name'); print('connected')
except OSError as e:
    print(type(e).__name__)")
wait $RUN
[ "$out" = ConnectionRefusedError ] && ok "the guest's abstract unix name is not the host's ($out)" || bad "abstract name: $out"

port=$(( 20000 + $$ % 20000 ))
"$SENTRY" run --network isolated -- python3 -c "
import socket, threading
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.bind(('::1', $port)); s.listen(1)
def serve():
    c, _ = s.accept(); c.sendall(b'self'); c.close()
threading.Thread(target=serve).start()
c = socket.create_connection(('::1', $port)); c.recv(8)" >/dev/null 2>&1 &
RUN=$!
sleep 0.5
host=$(python3 -c "
import socket
try:
    socket.create_connection(('127.0.0.1', $port), timeout=1); print('reached')
except OSError:
    print('unreachable')")
wait $RUN
[ "$host" = unreachable ] && ok "--network isolated: the host cannot reach the guest's server" || bad "isolated: host $host"
got=$("$SENTRY" run --network isolated -- python3 -c "
import socket, threading
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.bind(('::1', 0)); s.listen(1)
port = s.getsockname()[1]
def serve():
    c, _ = s.accept(); c.sendall(b'self'); c.close()
threading.Thread(target=serve).start()
c = socket.create_connection(('::1', port)); print(c.recv(8).decode())" 2>&1)
[ "$got" = self ] && ok "--network isolated: the guest reaches itself over its own loopback" || bad "isolated loopback: $got"

# sentry's fds while the guest, done with 400 netlink sockets, sleeps.
"$SENTRY" run -- python3 -c "
import socket, time
for _ in range(400): socket.if_nameindex()
print('done', flush=True); time.sleep(3)" > "$TMPDIR_NL" 2>&1 &
RUN=$!
for _ in $(seq 100); do grep -q done "$TMPDIR_NL" 2>/dev/null && break; sleep 0.1; done
fds=$(ls "/proc/$RUN/fd" 2>/dev/null | wc -l)
wait $RUN
[ "$fds" -gt 0 ] && [ "$fds" -lt 100 ] && ok "400 closed netlink sockets leave sentry with $fds fds" ||
  bad "sentry holds $fds fds after the guest closed 400 netlink sockets"
exit $fail
