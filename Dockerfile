# syntax=docker/dockerfile:1
# WeCom archive gateway: build with the dev toolchain, run compiled JS with production deps only.
#   docker build -t wecom-archive-gateway .
#   docker run -p 4000:4000 wecom-archive-gateway        # embedded demo (simulator in-process, memory stores)
#   docker run -p 4000:4000 -e WECOM_API_BASE=… -e DATABASE_URL=postgres://… -e REDIS_URL=… \
#     -e GATEWAY_MASTER_KEY=… -e GATEWAY_CLIENTS=… -e WECOM_SUITE_ID=… … wecom-archive-gateway   # upstream (README)
# The same image runs the simulator: command ["node", "dist/simulator/main.js"].

ARG NODE_VERSION=20
# Any image with node and npm on a glibc Debian; scripts/build-image.sh passes a local one where no
# registry can be reached.
ARG BASE_IMAGE=node:${NODE_VERSION}-bookworm-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY simulator ./simulator
# tsc emits JS for .ts only: worker scripts (.mjs) and static assets under src/ are copied beside it.
RUN npm run build \
 && cd src && find . -type f ! -name '*.ts' -exec cp --parents {} ../dist/src/ \;

FROM ${BASE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The official image's unprivileged user (uid 1000); nothing in /app is writable by it.
USER node
EXPOSE 4000
# /health is liveness (the process answers); orchestrators should gate traffic on /ready.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 4000}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
