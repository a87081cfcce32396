# syntax=docker/dockerfile:1
# huaweicloud-vault-exporter on Node.js 24 (the major .node-version pins; tests check that they agree).
#   docker build -t huaweicloud-vault-exporter .
#   docker buildx build --platform linux/amd64,linux/arm64 -t REGISTRY/huaweicloud-vault-exporter:0.1.0 --push .
# (podman build --platform linux/amd64,linux/arm64 --manifest huaweicloud-vault-exporter:0.1.0 . likewise)
# See docs/deploying.md (Container).

# Build: compile TypeScript with the dev dependencies, then keep the production dependencies alone. It runs
# on the builder's own platform: its output is JavaScript, and the one native addon (@node-rs/bcrypt, basic
# auth off the event loop) comes prebuilt per platform, so the last step asks npm for the target's. A
# cross-platform build needs no emulation.
FROM --platform=$BUILDPLATFORM node:24-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
ARG TARGETARCH=amd64
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
      --os=linux --libc=glibc --cpu="$(if [ "$TARGETARCH" = amd64 ]; then echo x64; else echo "$TARGETARCH"; fi)"

# Runtime: Node.js without a shell or package manager, the production dependencies and dist/src only.
FROM gcr.io/distroless/nodejs24-debian13:nonroot
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="huaweicloud-vault-exporter" \
      org.opencontainers.image.description="Prometheus exporter for Huawei Cloud backup vaults (CBR and HSS)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/huaweicloud-vault-exporter/huaweicloud-vault-exporter" \
      org.opencontainers.image.documentation="https://github.com/huaweicloud-vault-exporter/huaweicloud-vault-exporter/blob/main/docs/deploying.md" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
# glibc keeps freed memory in one arena per thread (the main thread, the refresh worker, libuv's pool), and
# returns it late: two arenas and an earlier trim keep 30-40 MB less resident at 10,000 vaults (docs/performance.md).
ENV MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=131072
# V8 grows the main thread's young generation to 2 x 16 MB under scrapes and keeps it; 1 MB semi-spaces keep
# 20-30 MB less resident at 10,000 vaults, with no change in /metrics throughput (docs/performance.md). It also
# applies to the refresh worker, whose own bound (8 MB) it overrides.
ENV NODE_OPTIONS=--max-semi-space-size=1
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
# distroless's "nonroot", by number so that Kubernetes can verify runAsNonRoot.
USER 65532:65532
EXPOSE 9797
ENTRYPOINT ["/nodejs/bin/node", "dist/src/main.js"]
CMD ["--config.file=/etc/huaweicloud-vault-exporter/config.yml"]
