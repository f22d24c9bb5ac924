# The OPF Pipeline image: one image, run as `api` or `worker` (see docker-compose.yml).
FROM node:20.19-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production OPF_SKIP_TEMPORAL_CLI=1
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
COPY scripts ./scripts
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
RUN npm run build:workflows
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "api/server.ts"]
