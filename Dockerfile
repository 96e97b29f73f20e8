# One image for every role: the command picks gateway, worker or cli.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build.js --force
ENV NODE_ENV=production
EXPOSE 3000
CMD ["node", "--max-semi-space-size=32", "dist/apps/gateway/src/main.js"]
