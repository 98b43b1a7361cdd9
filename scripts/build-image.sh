#!/usr/bin/env bash
# Builds and runs the project's Dockerfile where there is no Docker engine and no registry to pull
# a base image from (these development machines): buildah/podman from Debian, chroot isolation,
# vfs storage, and the Dockerfile's base image replaced (build arg BASE_IMAGE) by a local one made
# from this host's own Node runtime. Not part of `npm test`.
#   apt-get install -y buildah podman      # Debian bookworm
#   scripts/build-image.sh                 # base image, project image, then a run with /health
set -euo pipefail
cd "$(dirname "$0")/.."
S=(--storage-driver vfs)
BASE=localhost/wag-node-base:host
IMAGE=localhost/wecom-archive-gateway:dev
PORT=${IMAGE_CHECK_PORT:-4590}

echo "== 1. base image $BASE from this host's node $(node --version) (buildah from scratch)"
ctr=$(buildah "${S[@]}" from scratch)
mnt=$(buildah "${S[@]}" mount "$ctr")
trap 'buildah "${S[@]}" rm "$ctr" >/dev/null 2>&1 || true' ERR
# node, npm and what the Dockerfile's RUN lines call (sh, find, cp), with their shared libraries.
bins=(/usr/bin/node /bin/sh /usr/bin/dash /usr/bin/find /usr/bin/cp /usr/bin/env /usr/bin/mkdir /usr/bin/rm)
for bin in "${bins[@]}"; do
  cp --parents -L "$bin" "$mnt"
  ldd "$bin" | grep -o '/[^ ]*' | while read -r lib; do cp --parents -L "$lib" "$mnt"; done
done
mkdir -p "$mnt/usr/lib/node_modules" && cp -a /usr/lib/node_modules/npm "$mnt/usr/lib/node_modules/"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/bin/npm"
mkdir -p "$mnt/tmp" "$mnt/etc" "$mnt/home/node" && chmod 1777 "$mnt/tmp"
# The host's CA bundle: here registry traffic passes a TLS-intercepting egress proxy whose CA only
# this bundle has (the official node image would carry the public CAs instead).
cp --parents -L /etc/ssl/certs/ca-certificates.crt "$mnt"
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n' > "$mnt/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' > "$mnt/etc/group"
chown 1000:1000 "$mnt/home/node"
buildah "${S[@]}" umount "$ctr"
buildah "${S[@]}" config --env PATH=/usr/local/bin:/usr/bin:/bin --env HOME=/root \
  --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt "$ctr"
buildah "${S[@]}" commit --format docker "$ctr" "$BASE"
buildah "${S[@]}" rm "$ctr"

echo "== 2. the project's Dockerfile on it"
buildah "${S[@]}" bud --isolation chroot --format docker --layers=false \
  --build-arg BASE_IMAGE="$BASE" -t "$IMAGE" .
buildah "${S[@]}" images "$IMAGE"
buildah "${S[@]}" inspect --format '{{.Docker.Config.User}} {{.Docker.Config.Healthcheck.Test}}' "$IMAGE"

echo "== 3. run it (embedded mode, host network) and ask /health and /ready"
check() {
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$PORT/health"; then echo; break; fi
    sleep 0.5
  done
  curl -s -o /dev/null -w "ready %{http_code}\n" "http://127.0.0.1:$PORT/ready"
}
if cid=$(podman "${S[@]}" run -d --runtime runc --network host -e PORT="$PORT" -e SIM_PORT=$((PORT + 1)) "$IMAGE"); then
  trap 'podman "${S[@]}" rm -f "$cid" >/dev/null' EXIT
  check
  podman "${S[@]}" exec "$cid" node -e 'console.log("uid", process.getuid())'
  podman "${S[@]}" healthcheck run "$cid" && echo "healthcheck: healthy"
else
  # In a sandbox that forbids setrlimit (runc and crun both set RLIMIT_NOFILE/NPROC, even with
  # --ulimit host) no container starts; run the image's own filesystem instead, as its user.
  echo "podman run failed; running the image's root filesystem with chroot as uid 1000 instead"
  ctr=$(buildah "${S[@]}" from "$IMAGE")
  mnt=$(buildah "${S[@]}" mount "$ctr")
  env -i PATH=/usr/bin:/bin HOME=/home/node NODE_ENV=production HOST=127.0.0.1 PORT="$PORT" \
    SIM_PORT=$((PORT + 1)) NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    /usr/sbin/chroot --userspec=1000:1000 "$mnt" /bin/sh -c 'cd /app && exec node dist/src/main.js' &
  pid=$!
  trap 'kill "$pid"; wait "$pid"; buildah "${S[@]}" rm "$ctr" >/dev/null' EXIT
  check
  # The image's HEALTHCHECK command, as the image runs it.
  env -i PATH=/usr/bin:/bin PORT="$PORT" /usr/sbin/chroot --userspec=1000:1000 "$mnt" node -e \
    'fetch(`http://127.0.0.1:${process.env.PORT || 4000}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
    && echo "healthcheck command: exit 0"
fi
