# syntax=docker/dockerfile:1
# Task Force Connect: one process (Fastify API + SvelteKit pages) on port 3000, data in /data.
#   docker build -t task-force-connect .
#   docker run -d --name tfc -p 3000:3000 -v tfc-data:/data \
#     -e PUBLIC_ORIGIN=https://connect.example.gov -e TRUST_PROXY=true -e SMTP_URL=smtp://... task-force-connect
#   docker logs tfc    # the one-time /setup link for the first administrator (valid 24 hours)

# better-sqlite3 is a native module: it is compiled here, on the same base image and Node version it runs on.
FROM node:22-bookworm-slim AS build
# vite 8 needs npm 11 (the image ships npm 10); node-gyp needs python3, make and g++.
ARG NPM_VERSION=11.19.1
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/* \
 && npm install -g npm@${NPM_VERSION}
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# `prepare` could not sync SvelteKit during `npm ci` (no svelte.config.js yet): sync, then build.
RUN npx svelte-kit sync \
 && npm run build \
 && test -f web/build/handler.js \
 && npm prune --omit=dev

# tsx stays (a runtime dependency: the server runs TypeScript with `node --import tsx`);
# vite, svelte and the test tools were only needed for the build and are pruned above.
FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    DATA_DIR=/data \
    PORT=3000 \
    HOST=0.0.0.0
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin tfc \
 && mkdir /data \
 && chown tfc:tfc /data \
 && chmod 0700 /data
WORKDIR /app
# Code stays owned by root (read-only to the app user); only /data is writable.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/web/build ./web/build
COPY --from=build /app/server ./server
COPY --from=build /app/db ./db
COPY --from=build /app/migrations ./migrations
COPY --from=build /app/scripts ./scripts
USER tfc
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "--import", "tsx", "server/main.ts"]
