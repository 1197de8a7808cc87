# syntax=docker/dockerfile:1
# Tawasul on Debian slim (bookworm), running as the unprivileged `node` user.
#   docker build -t tawasul .                                   # production image (no browser)
#   docker build --target whatsapp-web-pilot -t tawasul:pilot . # + Debian chromium for whatsapp-web.js
# See docs/deploy.md for what a container deployment supports today.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: `npm ci` installs and builds (the `prepare` script: tsc + the esbuild web bundles) ----
FROM ${NODE_IMAGE} AS build
# Compilers for the native modules (better-sqlite3, sqlite3) when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Only what the build needs: never the data directory, node_modules or dist of the build machine.
COPY package.json package-lock.json tsconfig.json tsconfig.build.json tsconfig.web.json .puppeteerrc.cjs ./
COPY bot ./bot
COPY channels ./channels
COPY config ./config
COPY templates ./templates
ENV PUPPETEER_SKIP_DOWNLOAD=true
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund

# ---- app: the runtime every image shares ----
FROM ${NODE_IMAGE} AS app
# Two malloc arenas instead of one per thread: 20-30 MB less RSS, no slower; blocks from 128 KiB mapped
# apart and given back when freed (a fixed threshold): about 8 MB less (README, Performance).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072 \
    TAWASUL_DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/config ./config
COPY --from=build /app/templates ./templates
# The web chat page and its OpenAPI file are read from channels/ at run time.
COPY --from=build /app/channels ./channels
# The data directory (SQLite files, agent tokens, classifier cache) belongs to `node`, mode 0700.
RUN mkdir -m 0700 /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--max-semi-space-size=2", "--heap-growing-percent=50", "dist/bot/cli/main.js", "start"]

# ---- whatsapp-web-pilot: adds Debian's chromium for the whatsapp-web.js pilot channel only ----
FROM app AS whatsapp-web-pilot
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-noto-core \
 && rm -rf /var/lib/apt/lists/*
ENV CHROMIUM_PATH=/usr/bin/chromium
USER node

# ---- production (default target): no browser ----
FROM app AS production
