# syntax=docker/dockerfile:1
# One image for both tiers: Lambda (container image) and Fargate (ECS task).
#   docker buildx build --platform linux/arm64 -t lambdaflex .

# Build stage: the bundles are plain JavaScript, so build on the host's own
# platform (fast on x86 CI) with dev dependencies; install scripts are not
# needed to bundle (esbuild ships its binary as an optional dependency).
FROM --platform=$BUILDPLATFORM public.ecr.aws/docker/library/node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY service ./service
COPY scaler ./scaler
COPY config ./config
COPY model ./model
# The same command `npm test` runs, so the tests exercise these exact files.
RUN npx tsx scripts/build.ts

# Runtime stage: the AWS Lambda Node.js 22 base image, arm64 only. It brings
# the Lambda runtime interface client; the bundles carry their production
# dependencies, so no node_modules is copied at all.
FROM --platform=linux/arm64 public.ecr.aws/lambda/nodejs:22 AS runtime
# No --enable-source-maps in NODE_OPTIONS: Node would read and parse every
# source map while the bundle loads, 20-25 ms of each Lambda cold start
# (`npm run bench -- --only cold-start`). The service maps the stacks it logs
# itself (service/stack-map.ts), reading a map the first time it needs one.
ENV NODE_ENV=production \
    PORT=8080
# lambda*.mjs: the handler (lambda.mjs) and the chunks it loads (lambda-*.mjs).
COPY --from=build --chmod=0444 /src/dist/lambda*.mjs /src/dist/lambda*.mjs.map /src/dist/server.js /src/dist/server.js.map ${LAMBDA_TASK_ROOT}/dist/
COPY --chmod=0555 entrypoint.sh ${LAMBDA_TASK_ROOT}/entrypoint.sh
# Non-root on Fargate. Lambda ignores USER and runs functions as its own unprivileged user.
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/var/task/entrypoint.sh"]
CMD ["dist/lambda.handler"]
