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
    if curl -fsS "http://127.0.0.1:$1/health"; then echo; break; fi
    sleep 0.5
  done
  curl -s -o /dev/null -w "ready %{http_code}\n" "http://127.0.0.1:$1/ready"
}
# run_image NAME VAR=value… -- CMD…: starts CMD from the image, as the image's user, on the host
# network; podman when it can start a container, else the image's root filesystem under chroot as
# uid 1000 (a sandbox that forbids setrlimit lets neither runc nor crun start one, even with
# --ulimit host). Everything started is stopped on exit.
CLEANUP=()
trap 'for c in "${CLEANUP[@]}"; do eval "$c" || true; done' EXIT
MNT=""
run_image() {
  local name=$1; shift
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
  local penv=(); for e in "${envs[@]}"; do penv+=(-e "$e"); done
  if cid=$(podman "${S[@]}" run -d --runtime runc --network host --name "wag-$name-$$" "${penv[@]}" "$IMAGE" "$@" 2>/dev/null); then
    CLEANUP=("podman ${S[*]} rm -f $cid >/dev/null" "${CLEANUP[@]}")
    echo "$name: podman container ${cid:0:12}"
  else
    if [ -z "$MNT" ]; then
      local ctr; ctr=$(buildah "${S[@]}" from "$IMAGE")
      MNT=$(buildah "${S[@]}" mount "$ctr")
      CLEANUP+=("buildah ${S[*]} rm $ctr >/dev/null")
    fi
    env -i PATH=/usr/bin:/bin HOME=/home/node NODE_ENV=production HOST=127.0.0.1 \
      NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt "${envs[@]}" \
      /usr/sbin/chroot --userspec=1000:1000 "$MNT" /bin/sh -c 'cd /app && exec "$@"' sh "$@" \
      >"/tmp/wag-image-$name.log" 2>&1 &
    local pid=$!
    CLEANUP=("kill $pid; wait $pid 2>/dev/null" "${CLEANUP[@]}")
    echo "$name: chroot pid $pid as uid 1000 (podman could not start a container; log /tmp/wag-image-$name.log)"
  fi
}
gql() { # PORT QUERY
  curl -s -H 'content-type: application/json' -H 'authorization: Bearer demo-key' \
    -d "{\"query\":\"$2\"}" "http://127.0.0.1:$1/graphql"
}
run_image embedded PORT="$PORT" SIM_PORT=$((PORT + 1)) -- node dist/src/main.js
check "$PORT"
# The image's HEALTHCHECK command, as the image runs it (its user, its node).
if [ -n "$MNT" ]; then
  env -i PATH=/usr/bin:/bin PORT="$PORT" /usr/sbin/chroot --userspec=1000:1000 "$MNT" node -e \
    'console.log("uid", process.getuid()); fetch(`http://127.0.0.1:${process.env.PORT || 4000}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
    && echo "healthcheck command: exit 0"
else
  podman "${S[@]}" healthcheck run "wag-embedded-$$" && echo "healthcheck: healthy"
fi
echo "embedded corps: $(gql "$PORT" '{ corps { edges { node { corpId authorization { status } } } } }')"

echo "== 4. the compose shape: PostgreSQL and Redis of this host, the simulator and two replicas from the image"
DB=wag_image_check
PREFIX="wagimage$$:"
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
CLEANUP+=("psql -h 127.0.0.1 -U postgres -qc 'DROP DATABASE IF EXISTS $DB WITH (FORCE)'")
APPS=(WECOM_SUITE_ID=wwsuite0archive0image WECOM_SUITE_SECRET=image-archive-secret-change-me
  WECOM_CALLBACK_TOKEN=imageCallbackTokenChangeMe WECOM_CALLBACK_AES_KEY=Im9p0s3e4D5e6m7o8K9e0y1C2h3a4n5g6e7M8e9x0Ab
  WECOM_PROVIDER_CORPID=wwprovider0image0check WECOM_DISPLAY_SUITE_ID=wwsuite0display0image
  WECOM_DISPLAY_SUITE_SECRET=image-display-secret-change-me)
G1=$((PORT + 2)); G2=$((PORT + 3)); SIM=$((PORT + 4))
GW=("${APPS[@]}" WECOM_API_BASE="http://127.0.0.1:$SIM" REDIS_URL=redis://127.0.0.1:6379 REDIS_PREFIX="$PREFIX"
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB" GATEWAY_MASTER_KEY=image-check-master-key-change-me
  'GATEWAY_CLIENTS=[{"id":"demo","key":"demo-key","corps":["*"],"scopes":["corp:read","content:display","admin"]}]')
run_image gateway-1 "${GW[@]}" PORT="$G1" -- node dist/src/main.js
run_image gateway-2 "${GW[@]}" PORT="$G2" -- node dist/src/main.js
check "$G1"; check "$G2"
run_image simulator "${APPS[@]}" SIM_HOST=127.0.0.1 SIM_PORT="$SIM" SIM_MESSAGE_RATE=0.5 \
  SIM_CALLBACK_URL="http://127.0.0.1:$G1/wecom/callback" -- node dist/simulator/main.js
for _ in $(seq 1 120); do
  n=$(psql -h 127.0.0.1 -U postgres -d "$DB" -tAc "SELECT count(*) FROM messages" 2>/dev/null || echo 0)
  [ "${n:-0}" -gt 0 ] && break
  sleep 0.5
done
echo "migrations applied: $(psql -h 127.0.0.1 -U postgres -d "$DB" -tAc "SELECT string_agg(name, ', ' ORDER BY name) FROM schema_migrations" 2>&1)"
echo "archived in PostgreSQL: $(psql -h 127.0.0.1 -U postgres -d "$DB" -tAc "SELECT count(*) || ' messages of ' || count(DISTINCT corp_id) || ' corps' FROM messages")"
echo "gateway-1 $(curl -s -o /dev/null -w 'ready %{http_code}' "http://127.0.0.1:$G1/ready"), gateway-2 $(curl -s -o /dev/null -w 'ready %{http_code}' "http://127.0.0.1:$G2/ready")"
echo "gateway-1 corps: $(gql "$G1" '{ corps { edges { node { corpId authorization { status } } } } }')"
echo "gateway-2 corps: $(gql "$G2" '{ corps { edges { node { corpId syncState { indexedMessages } } } } }')"
