#!/bin/sh
# One image, two modes. Lambda sets AWS_LAMBDA_RUNTIME_API; ECS does not.
#   Lambda:  exec the Lambda runtime interface client with the bundled handler.
#   Fargate: exec the HTTP server on $PORT (default 8080).
# Another app in the same layout names its entries: the handler as the image CMD
# (or _HANDLER), the server script as LAMBDAFLEX_SERVER (relative to the app dir).
# exec (no subshell) so the runtime or server is PID 1 and receives SIGTERM.
set -eu

APP_DIR=${LAMBDAFLEX_APP_DIR:-$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)}

if [ -n "${AWS_LAMBDA_RUNTIME_API:-}" ]; then
  # Lambda passes the image CMD (the handler) as $1; the runtime client also needs _HANDLER.
  _HANDLER=${1:-${_HANDLER:-dist/lambda.handler}}
  LAMBDA_TASK_ROOT=${LAMBDA_TASK_ROOT:-$APP_DIR}
  LAMBDAFLEX_TIER=${LAMBDAFLEX_TIER:-lambda}
  export _HANDLER LAMBDA_TASK_ROOT LAMBDAFLEX_TIER
  # The AWS Lambda base image ships its own runtime client; a checkout uses the npm one.
  if [ -x /var/runtime/bootstrap ]; then
    exec /var/runtime/bootstrap
  fi
  exec node "$APP_DIR/node_modules/aws-lambda-ric/index.mjs"
fi

PORT=${PORT:-8080}
LAMBDAFLEX_TIER=${LAMBDAFLEX_TIER:-fargate}
export PORT LAMBDAFLEX_TIER
exec node "$APP_DIR/${LAMBDAFLEX_SERVER:-dist/server.js}"
