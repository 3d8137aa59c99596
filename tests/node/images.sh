#!/usr/bin/env bash
# Builds the product's images from Dockerfile.webhook and Dockerfile.reconciler themselves, without
# a Docker daemon (Debian's buildah: vfs storage, chroot isolation), and writes each as an OCI
# archive into the cache. NODE_IMAGE is a base built here: Debian bookworm (debootstrap minbase,
# from the mirror of this machine's own apt configuration, read at run time) plus the pinned Node
# binary of the npm `node` package (node_modules/node/bin/node) and npm from the npm registry.
# Everything is cached by the hash of what goes into it; a second call only prints. Prints one
# line per image: "<component> <image reference> <archive path>".
#
# The builds' `npm ci` reaches the registry through whatever TLS interception the machine has: the
# host's CA bundle and an npmrc naming it are mounted for the build only (buildah bud -v ...:ro),
# never written into an image.
#   LBG_CACHE_DIR=${XDG_CACHE_HOME:-~/.cache}/longhorn-backup-guard
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
CACHE="${LBG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/longhorn-backup-guard}"
IMAGES="$CACHE/images"
NPM_VERSION=11.19.1
SUITE=bookworm
# Bump when the base's recipe below changes (its inputs above are part of its key already).
BASE_RECIPE=1
HOST_CA=/etc/ssl/certs/ca-certificates.crt

log() { echo "[images] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for tool in buildah debootstrap npm sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is needed to build the images (tests/tools/node-packages.sh installs it)"
done
node_bin="$repo/node_modules/node/bin/node"
[[ -x "$node_bin" ]] || die "no $node_bin: run npm ci first"
node_version="$("$node_bin" --version)"

mkdir -p "$IMAGES"
exec 9>"$IMAGES/build.lock"
flock 9
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
storage=(--root "$IMAGES/storage" --runroot "$IMAGES/run" --storage-driver vfs)
started=$SECONDS

hash_of() { # <files or directories...>: one hash of their paths and contents
  (cd "$repo" && find "$@" -type f ! -name '*.test.ts' ! -path '*/node_modules/*' -print0 | sort -z |
    xargs -0 sha256sum | sha256sum | cut -c1-16)
}

# The base: what the official node:<version>-bookworm-slim image holds that the Dockerfiles use.
base_key="$(printf '%s %s %s %s' "$BASE_RECIPE" "$SUITE" "$node_version" "$NPM_VERSION" | sha256sum | cut -c1-16)"
base_ref="localhost/lbg-node-base:$base_key"
if ! buildah "${storage[@]}" inspect --type image "$base_ref" >/dev/null 2>&1; then
  # The mirror of this machine's apt configuration (deb822 sources or sources.list), never a host
  # written into the repository.
  mirror="$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1)"
  [[ -n "$mirror" ]] || mirror="$(awk '$1 == "deb" && $3 == "'"$SUITE"'" {print $2; exit}' /etc/apt/sources.list 2>/dev/null)"
  [[ -n "$mirror" ]] || die "no Debian mirror in this machine's apt configuration (/etc/apt/sources.list[.d])"
  # vfs storage copies every layer whole: keep one base only.
  buildah "${storage[@]}" images --format '{{.Name}}:{{.Tag}}' | grep '^localhost/lbg-node-base:' |
    xargs -r buildah "${storage[@]}" rmi >/dev/null 2>&1 || true
  work="$IMAGES/base-$base_key"
  rm -rf "$work" && mkdir -p "$work"
  log "building the base image: debootstrap --variant=minbase $SUITE (about a minute) + Node $node_version + npm $NPM_VERSION"
  debootstrap --variant=minbase "$SUITE" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    die "debootstrap failed, see $work/debootstrap.log"
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  install -D -m 0755 "$node_bin" "$work/rootfs/usr/local/bin/node"
  (cd "$work" && npm pack --silent "npm@$NPM_VERSION" >/dev/null)
  mkdir -p "$work/rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$work/rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/rootfs/usr/local/bin/npx"
  container="$(buildah "${storage[@]}" from scratch)"
  buildah "${storage[@]}" copy --quiet "$container" "$work/rootfs" / >/dev/null
  buildah "${storage[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --cmd node "$container"
  buildah "${storage[@]}" commit --quiet --rm "$container" "$base_ref" >/dev/null
  rm -rf "$work"
  log "base image $base_ref built at $((SECONDS - started)) s"
fi

# The pod sandbox image: tests/node/pause.c compiled static, alone in the image.
pause_key="$(cat "$here/pause.c" | sha256sum | cut -c1-16)"
pause_ref="localhost/lbg-pause:$pause_key"
pause_archive="$IMAGES/pause-$pause_key.oci.tar"
if [[ ! -f "$pause_archive" ]]; then
  command -v gcc >/dev/null || die "gcc is needed to build the pause image"
  work="$IMAGES/pause-build"
  rm -rf "$work" && mkdir -p "$work"
  gcc -static -Os -o "$work/pause" "$here/pause.c"
  container="$(buildah "${storage[@]}" from scratch)"
  buildah "${storage[@]}" copy --quiet "$container" "$work/pause" /pause >/dev/null
  buildah "${storage[@]}" config --entrypoint '["/pause"]' --user 65535:65535 "$container"
  buildah "${storage[@]}" commit --quiet --rm "$container" "$pause_ref" >/dev/null
  buildah "${storage[@]}" push --quiet "$pause_ref" "oci-archive:$pause_archive.tmp:$pause_ref" >/dev/null
  buildah "${storage[@]}" rmi "$pause_ref" >/dev/null
  mv "$pause_archive.tmp" "$pause_archive"
  rm -rf "$work"
fi
echo "pause $pause_ref $pause_archive"

npmrc="$IMAGES/build-npmrc"
printf 'cafile=%s\n' "$HOST_CA" >"$npmrc"
for component in webhook reconciler; do
  case "$component" in
  webhook) inputs=(Dockerfile.webhook .dockerignore package.json package-lock.json shared certs webhook) ;;
  reconciler) inputs=(Dockerfile.reconciler .dockerignore package.json package-lock.json shared reconciler) ;;
  esac
  key="$(printf '%s %s' "$base_key" "$(hash_of "${inputs[@]}")" | sha256sum | cut -c1-16)"
  ref="localhost/longhorn-backup-guard-$component:$key"
  archive="$IMAGES/$component-$key.oci.tar"
  if [[ ! -f "$archive" ]]; then
    log "building $ref from Dockerfile.$component (npm ci inside: a minute or two)"
    buildah "${storage[@]}" bud --quiet --isolation chroot --layers=false \
      --build-arg "NODE_IMAGE=$base_ref" \
      -v "$HOST_CA:$HOST_CA:ro" -v "$npmrc:/usr/local/etc/npmrc:ro" \
      -f "$repo/Dockerfile.$component" -t "$ref" "$repo" >"$IMAGES/$component-build.log" 2>&1 ||
      die "buildah bud failed, see $IMAGES/$component-build.log"
    buildah "${storage[@]}" push --quiet "$ref" "oci-archive:$archive.tmp:$ref" >/dev/null
    mv "$archive.tmp" "$archive"
    # The archive is what the node loads: the copy in the vfs storage and the build's
    # intermediate images only take disk.
    buildah "${storage[@]}" rmi "$ref" >/dev/null
    buildah "${storage[@]}" rmi --prune >/dev/null 2>&1 || true
    # Older archives of this component are of no further use.
    find "$IMAGES" -maxdepth 1 -name "$component-*.oci.tar" ! -name "$(basename "$archive")" -delete
    log "$ref built at $((SECONDS - started)) s"
  fi
  echo "$component $ref $archive"
done
