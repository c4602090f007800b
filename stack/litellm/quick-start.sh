#!/usr/bin/env bash
# Brings up LiteLLM (with Redis and PostgreSQL) and waits until it answers.
#
#   ./quick-start.sh
#
# Creates the vllm_network network and litellm/.env (through ../sync-env.sh) when they are
# missing, runs `docker compose up -d` (or `docker-compose` when Compose v2 is not installed),
# then waits for http://127.0.0.1:4000/health/liveliness (WAIT_SECONDS, default 300).
# The master key is printed masked; the whole key is LITELLM_MASTER_KEY in ../.env.
set -euo pipefail

cd "$(dirname "$0")"

LITELLM_URL=${LITELLM_URL:-http://127.0.0.1:4000}
WAIT_SECONDS=${WAIT_SECONDS:-300}

if docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  COMPOSE=(docker-compose)
else
  echo "quick-start: Docker Compose not found (install the docker compose plugin)" >&2
  exit 1
fi

docker info >/dev/null 2>&1 || { echo "quick-start: cannot reach the Docker daemon (is it running? are you in the docker group?)" >&2; exit 1; }

if ! docker network inspect vllm_network >/dev/null 2>&1; then
  echo "Creating network vllm_network"
  docker network create vllm_network >/dev/null
fi

if [ ! -f .env ] || ! grep -q '^LITELLM_MASTER_KEY=sk-' .env; then
  echo "litellm/.env missing or without a master key: running ../sync-env.sh"
  ../sync-env.sh
fi

"${COMPOSE[@]}" up -d

printf 'Waiting for LiteLLM at %s/health/liveliness ' "$LITELLM_URL"
deadline=$((SECONDS + WAIT_SECONDS))
until curl -fsS --max-time 5 -o /dev/null "$LITELLM_URL/health/liveliness" 2>/dev/null; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo
    echo "quick-start: LiteLLM did not answer within ${WAIT_SECONDS}s; see: docker logs vllm-litellm-proxy" >&2
    exit 1
  fi
  printf '.'
  sleep 3
done
echo " up."

key=$(sed -n 's/^LITELLM_MASTER_KEY=//p' .env | tail -n 1)
echo "LiteLLM is running on $LITELLM_URL (admin UI: $LITELLM_URL/ui)."
echo "Master key: ${key:0:5}…${key: -2} (LITELLM_MASTER_KEY in ../.env)"
echo "Next: start NGINX from the stack folder (docker compose up -d), then ./test-litellm.sh or ../test-endpoints.sh"
