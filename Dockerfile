# driftwatch service image: Node 20, production dependencies only, runs the TypeScript sources through tsx
# (as bin/driftwatch.js does), as the unprivileged `node` user.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    DRIFTWATCH_PORT=8080 \
    DRIFTWATCH_DATA_DIR=/var/lib/driftwatch
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY dashboards ./dashboards
COPY collectors ./collectors
RUN mkdir -p /var/lib/driftwatch && chown node:node /var/lib/driftwatch
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/driftwatch.js"]
CMD ["serve"]
