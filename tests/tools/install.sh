#!/usr/bin/env bash
# Installs the tools the tests use besides the control plane, idempotently (a second run only
# checks): promtool (alert rule checks), hadolint (Dockerfile lint), the Prometheus operator
# CRDs (the manifests' dry-run), the cron oracle (robfig/cron, the judge of the product's cron),
# helm (the chart's tests; built from the Go module proxy) and the node suite's Debian packages
# (tests/tools/node-packages.sh). Run it once per machine, or from CI before the tests:
#   bash tests/tools/install.sh
# Without them those tests skip with a message; with CI=true they fail instead.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/promtool.sh" >/dev/null
bash "$here/hadolint.sh" >/dev/null
bash "$here/prometheus-operator-crds.sh" >/dev/null
bash "$here/cron-oracle.sh" >/dev/null
bash "$here/helm.sh" >/dev/null
bash "$here/node-packages.sh"
echo "[tools] promtool, hadolint, the Prometheus operator CRDs, the cron oracle, helm and the node packages are installed" >&2
