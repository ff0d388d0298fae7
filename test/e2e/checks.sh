# Shared by the e2e scripts that report "ok: ..." / "FAIL: ..." lines and
# exit with $fail: source it after `set -u`.
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }
