#!/usr/bin/env bash
# Builds helm from the Go module proxy, once, into the cache (beside the control-plane binaries)
# and prints the binary's path. Idempotent: a second call only prints the path. Concurrent calls
# are serialised with flock. Helm v4: it installs and upgrades with server-side apply, so fields
# other managers own (the caBundle the webhook writes) are left alone, and the apiserver validates
# every object strictly; Helm v3 is out of support since November 2026.
#   HELM_VERSION=v4.3.2
#   helm.sh --find   prints the path only when built (exit 3 otherwise), builds nothing
set -euo pipefail
source "$(dirname "$0")/lib.sh"
VERSION="${HELM_VERSION:-v4.3.2}"
DIR="$TOOLS/helm-$VERSION"
HELM="$DIR/helm"
if [[ -x "$HELM" ]]; then echo "$HELM"; exit 0; fi
if [[ "${1:-}" == --find ]]; then exit 3; fi
command -v go >/dev/null || die "Go >= 1.24 is needed to build helm from the Go module proxy (none on PATH)"
mkdir -p "$DIR/src"
exec 9>"$DIR/build.lock"
flock 9
if [[ -x "$HELM" ]]; then echo "$HELM"; exit 0; fi
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
major="${VERSION%%.*}"
module="helm.sh/helm/${major}"
printf 'module localbuild/helm\n\ngo 1.24.0\n\nrequire %s %s\n' "$module" "$VERSION" >"$DIR/src/go.mod"
log "building helm $VERSION from the Go module proxy (a few minutes on 2 cores the first time)"
started=$SECONDS
(cd "$DIR/src" && go get "$module/cmd/helm@$VERSION" >&2 &&
  go build -trimpath -ldflags "-s -w -X $module/internal/version.version=$VERSION" -o "$HELM.tmp" "$module/cmd/helm" >&2)
mv "$HELM.tmp" "$HELM"
log "helm $VERSION built in $((SECONDS - started)) s"
"$HELM" version --short >&2
echo "$HELM"
