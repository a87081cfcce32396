# syntax=docker/dockerfile:1
# huaweicloud-vault-exporter: docker build -t huaweicloud-vault-exporter .

# Build: compile TypeScript with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime: production dependencies and the compiled daemon only.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
# The image's "node" user, by number so that Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 9797
ENTRYPOINT ["node", "dist/src/main.js"]
CMD ["--config.file=/etc/huaweicloud-vault-exporter/config.yml"]
