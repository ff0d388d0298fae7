#!/bin/bash
# The judge's own check: a stand-in for sentry that is no sandbox at all.
#
#     no_sandbox.sh run [--platform P] -- PROGRAM [ARGS...]
#
# runs PROGRAM natively as a child (so that, like sentry, this "supervisor"
# has a process of its own that attacks on sentry can hit) and exits with its
# status. `run_hostile.sh no_sandbox.sh GUEST` must report most attacks as
# ESCAPE; an attack that passes here is one the judge cannot see fail.
# Run it as root on a machine you do not mind being attacked: the script
# restores what the attacks change, but they do change it for a moment.
[ "${1:-}" = run ] || { echo "usage: $0 run [--platform P] -- PROGRAM [ARGS...]" >&2; exit 2; }
shift
if [ "${1:-}" = --help ]; then
  echo "no_sandbox.sh run [OPTIONS] -- PROGRAM [ARGS...]: every sentry run option"
  echo "(--platform, --pids-limit, ...) is accepted and ignored"
  exit 0
fi
while [ $# -gt 0 ] && [ "$1" != -- ]; do shift; done
[ "${1:-}" = -- ] && shift
[ $# -gt 0 ] || { echo "usage: $0 run [--platform P] -- PROGRAM [ARGS...]" >&2; exit 2; }
"$@"
exit $?
