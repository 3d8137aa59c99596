# Progress reporting shared by the cached builds (tests/control-plane/build.sh, tests/node/build.sh):
# set LOG_PREFIX and EXPECTED_TOTAL, then source this file.
log() { echo "[${LOG_PREFIX}] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

started="$(date +%s)"
elapsed() { local s=$(($(date +%s) - started)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# One background ticker at a time: says which phase is running and for how long. It closes the
# lock descriptor and stdout so that it can never hold the lock or a caller's $(...) open.
ticker=""
stop_ticker() {
  if [[ -n "$ticker" ]]; then kill "$ticker" 2>/dev/null || true; wait "$ticker" 2>/dev/null || true; fi
  ticker=""
}
phase() {
  stop_ticker
  log "$1${2:+ ($2)}"
  local what="$1"
  (
    trap 'kill "$nap" 2>/dev/null; exit 0' TERM
    while :; do
      sleep 30 & nap=$!
      wait "$nap"
      log "still ${what}: $(elapsed) elapsed (a first build takes about ${EXPECTED_TOTAL})"
    done
  ) >/dev/null 9>&- &
  ticker=$!
}
trap stop_ticker EXIT
