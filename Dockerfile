# syntax=docker/dockerfile:1
# Build stage: full dependencies, compile TypeScript to dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN node scripts/build-scanner.mjs && npx tsc -p tsconfig.build.json

# Runtime stage: production dependencies only, fonts for chart text, non-root user.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core fontconfig ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY manifests ./manifests
RUN useradd --system --create-home --uid 10001 pgdba && mkdir -p /home/pgdba/.cache && chown -R pgdba /home/pgdba
USER pgdba
ENV PORT=3000 PGDBA_OUTPUT_DIR=/tmp/pgdba-output
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
ENTRYPOINT ["node", "bin/pgdba.js"]
CMD ["serve"]
