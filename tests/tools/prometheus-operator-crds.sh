#!/usr/bin/env bash
# Copies the Prometheus operator's PrometheusRule and ServiceMonitor CRDs once into the cache and
# prints that directory. They come from the Go module proxy: the module
# github.com/prometheus-operator/prometheus-operator ships them under example/prometheus-operator-crd/.
#   PROMETHEUS_OPERATOR_VERSION=v0.85.0
set -euo pipefail
source "$(dirname "$0")/lib.sh"
VERSION="${PROMETHEUS_OPERATOR_VERSION:-v0.85.0}"
DIR="$TOOLS/prometheus-operator-crds-$VERSION"
FILES=(monitoring.coreos.com_prometheusrules.yaml monitoring.coreos.com_servicemonitors.yaml)
have_all() { for f in "${FILES[@]}"; do [[ -s "$DIR/$f" ]] || return 1; done; }
if ! have_all; then
  command -v go >/dev/null || die "Go is needed to fetch the Prometheus operator CRDs from the Go module proxy"
  log "fetching github.com/prometheus-operator/prometheus-operator@$VERSION from the Go module proxy"
  mkdir -p "$DIR"
  module_dir="$(cd "$DIR" && GOFLAGS=-mod=mod go mod download -json "github.com/prometheus-operator/prometheus-operator@$VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
  [[ -d "$module_dir" ]] || die "could not download github.com/prometheus-operator/prometheus-operator@$VERSION"
  for f in "${FILES[@]}"; do
    cp "$module_dir/example/prometheus-operator-crd/$f" "$DIR/$f.tmp" && mv "$DIR/$f.tmp" "$DIR/$f"
  done
fi
echo "$DIR"
