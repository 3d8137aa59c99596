#!/usr/bin/env bash
# Installs, from Debian's packages, what the node suite (tests/node) runs besides the Kubernetes
# binaries: containerd 1.6, runc, the CNI plugins (/usr/lib/cni), iptables (the pods' NAT),
# buildah and debootstrap (the images), gcc (the pause image). Needs root and apt-get.
#   node-packages.sh --find   exit 0 when all are there, 3 otherwise (prints what is missing)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
PACKAGES=(containerd runc containernetworking-plugins iptables buildah debootstrap gcc libc6-dev)
missing_commands() {
  local c
  for c in containerd ctr runc iptables buildah debootstrap gcc /usr/lib/cni/bridge /usr/lib/cni/host-local; do
    command -v "$c" >/dev/null || [[ -x "$c" ]] || echo "$c"
  done
}
missing="$(missing_commands)"
if [[ "${1:-}" == --find ]]; then
  if [[ -n "$missing" ]]; then echo "$missing" | tr '\n' ' '; exit 3; fi
  exit 0
fi
if [[ -n "$missing" ]]; then
  [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null ||
    die "the node suite needs $(echo "$missing" | tr '\n' ' '): sudo apt-get install --no-install-recommends ${PACKAGES[*]}"
  if ! apt-cache policy buildah 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    log "apt-get update (no candidate for buildah yet)"
    apt-get update -qq >&2
  fi
  log "apt-get install ${PACKAGES[*]} (the node suite)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >&2
fi
