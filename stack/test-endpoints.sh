#!/usr/bin/env bash
# Tests the gateway as it is deployed: NGINX (HTTPS) -> LiteLLM -> model servers.
#
#   ./test-endpoints.sh
#
# 1. /health answers without a key (LiteLLM's liveness, through NGINX);
# 2. /v1/models without a key is refused with 401;
# 3. /v1/models with the master key lists the models;
# 4. one chat completion per listed model (a model whose server is not running is reported as
#    DOWN and skipped - LiteLLM lists every configured model, running or not);
# 5. one streamed chat completion.
#
# Settings (environment):
#   GATEWAY_URL         default https://localhost:<NGINX_HTTPS_PORT from .env, else 443>
#   LITELLM_MASTER_KEY  default: read from .env
#   CACERT              certificate to trust, default ssl/public.pem (the stack's own; no -k)
#   MODELS              space-separated models to test instead of every listed one
#   MAX_TIME            seconds per request, default 300
# Exit status: 0 when every check passed and at least one model answered, 1 otherwise.
set -uo pipefail

cd "$(dirname "$0")" || exit 1

# env_value KEY -> the value of KEY in .env (parsed, not sourced).
env_value() {
  [ -f .env ] || return 0
  sed -n "s/^[[:space:]]*\(export[[:space:]]\{1,\}\)\{0,1\}$1=//p" .env | tail -n 1 | tr -d '\r' |
    sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'$/\1/"
}

HTTPS_PORT=${NGINX_HTTPS_PORT:-$(env_value NGINX_HTTPS_PORT)}
GATEWAY_URL=${GATEWAY_URL:-https://localhost:${HTTPS_PORT:-443}}
GATEWAY_URL=${GATEWAY_URL%/}
KEY=${LITELLM_MASTER_KEY:-$(env_value LITELLM_MASTER_KEY)}
CACERT=${CACERT:-ssl/public.pem}
MAX_TIME=${MAX_TIME:-300}

failures=0
pass() { printf '  PASS  %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*"; failures=$((failures + 1)); }
info() { printf '        %s\n' "$*"; }

CURL=(curl -sS --max-time "$MAX_TIME")
case $GATEWAY_URL in
  https://*)
    if [ ! -f "$CACERT" ]; then
      echo "test-endpoints: $CACERT not found; run ./certs.sh (or set CACERT to the gateway's certificate)" >&2
      exit 1
    fi
    CURL+=(--cacert "$CACERT")
    ;;
esac

if [ -z "$KEY" ]; then
  echo "test-endpoints: LITELLM_MASTER_KEY is not set in .env; run ./sync-env.sh" >&2
  exit 1
fi

# request METHOD PATH [curl args...] -> sets STATUS and BODY.
umask 077
BODY_FILE=$(mktemp)
# The key reaches curl in a header file (mode 600, written by the shell's printf builtin), never
# on curl's command line, where `ps` shows it to every user of the machine.
AUTH_FILE=$(mktemp)
trap 'rm -f "$BODY_FILE" "$AUTH_FILE"' EXIT
printf 'Authorization: Bearer %s\n' "$KEY" >"$AUTH_FILE"
AUTH=(-H "@$AUTH_FILE")
request() {
  local method=$1 path=$2
  shift 2
  STATUS=$("${CURL[@]}" -o "$BODY_FILE" -w '%{http_code}' -X "$method" "$@" "$GATEWAY_URL$path" 2>"$BODY_FILE.err")
  local rc=$?
  BODY=$(cat "$BODY_FILE")
  if [ $rc -ne 0 ]; then
    STATUS=000
    BODY=$(cat "$BODY_FILE.err")
  fi
  rm -f "$BODY_FILE.err"
}

# The master key is never printed; only its first characters.
echo "Gateway: $GATEWAY_URL (key ${KEY:0:5}…, CA $CACERT)"

echo "1. Health without a key"
request GET /health
if [ "$STATUS" = 200 ]; then pass "/health -> 200 ${BODY:0:60}"; else fail "/health -> $STATUS ${BODY:0:200}"; fi

echo "2. Authentication is required"
request GET /v1/models
if [ "$STATUS" = 401 ]; then pass "/v1/models without a key -> 401"; else fail "/v1/models without a key -> $STATUS (expected 401)"; fi

echo "3. Models with the master key"
request GET /v1/models "${AUTH[@]}"
listed=()
if [ "$STATUS" = 200 ]; then
  while IFS= read -r id; do [ -n "$id" ] && listed+=("$id"); done < <(
    printf '%s' "$BODY" | grep -o '"id"[[:space:]]*:[[:space:]]*"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/'
  )
  pass "/v1/models -> 200: ${listed[*]:-(none)}"
  [ "${#listed[@]}" -gt 0 ] || fail "/v1/models lists no model (check litellm/config.yaml)"
else
  fail "/v1/models with key -> $STATUS ${BODY:0:200}"
fi

if [ -n "${MODELS:-}" ]; then
  read -r -a models <<<"$MODELS"
else
  models=("${listed[@]}")
fi

echo "4. One chat completion per model"
answered=()
for model in "${models[@]}"; do
  payload=$(printf '{"model":"%s","messages":[{"role":"user","content":"Reply with the single word: pong"}],"max_tokens":64,"temperature":0}' "$model")
  request POST /v1/chat/completions "${AUTH[@]}" -H "Content-Type: application/json" -d "$payload"
  if [ "$STATUS" = 200 ] && printf '%s' "$BODY" | grep -q '"choices"'; then
    content=$(printf '%s' "$BODY" | grep -o '"content"[[:space:]]*:[[:space:]]*"[^"]*"' | head -n 1 | sed 's/^"content"[[:space:]]*:[[:space:]]*//')
    pass "$model -> 200 ${content:0:60}"
    answered+=("$model")
  elif printf '%s' "$BODY" | grep -qiE 'connection error|connecterror|cannot connect to host|name or service not known|name resolution|connection refused|no deployments available'; then
    info "DOWN  $model: its model server is not reachable (not started in this scenario?) - skipped"
  else
    fail "$model -> $STATUS ${BODY:0:300}"
  fi
done
[ "${#answered[@]}" -gt 0 ] || fail "no model answered a chat completion"

echo "5. Streaming"
if [ "${#answered[@]}" -gt 0 ]; then
  model=${answered[0]}
  payload=$(printf '{"model":"%s","messages":[{"role":"user","content":"Count from 1 to 5."}],"max_tokens":64,"stream":true}' "$model")
  request POST /v1/chat/completions -N "${AUTH[@]}" -H "Content-Type: application/json" -d "$payload"
  chunks=$(printf '%s\n' "$BODY" | grep -c '^data: {' || true)
  if [ "$STATUS" = 200 ] && [ "$chunks" -gt 0 ] && printf '%s' "$BODY" | grep -q '^data: \[DONE\]'; then
    pass "$model streamed $chunks chunks, ended with [DONE]"
  else
    fail "$model stream -> $STATUS, $chunks chunks ${BODY:0:300}"
  fi
else
  fail "no model to stream from"
fi

echo
if [ "$failures" -eq 0 ]; then
  echo "All checks passed (${#answered[@]} model(s) answered: ${answered[*]})."
  exit 0
fi
echo "$failures check(s) failed."
exit 1
