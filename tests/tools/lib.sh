# Shared by the tool installers: where tools are cached (outside the repository, beside the
# control-plane binaries) and how to report.
CACHE="${LBG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/longhorn-backup-guard}"
TOOLS="$CACHE/tools"
log() { echo "[tools] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
