#!/usr/bin/env bash
# Tests LiteLLM directly on the host (not through NGINX).
#
#   ./test-litellm.sh
#
# 1. /health/liveliness answers without a key;
# 2. /v1/models without a key is refused (401) and with the master key lists the models;
# 3. one chat completion (MODEL, default: the first listed model whose server answers).
#
# Settings (environment): LITELLM_URL (default http://127.0.0.1:4000), LITELLM_MASTER_KEY
# (default: from litellm/.env, else ../.env), MODEL, MAX_TIME (seconds per request, default 300).
set -uo pipefail

cd "$(dirname "$0")" || exit 1

LITELLM_URL=${LITELLM_URL:-http://127.0.0.1:4000}
LITELLM_URL=${LITELLM_URL%/}
MAX_TIME=${MAX_TIME:-300}

key_from() { [ -f "$1" ] && sed -n 's/^LITELLM_MASTER_KEY=//p' "$1" | tail -n 1 | tr -d '\r"'\'; }
KEY=${LITELLM_MASTER_KEY:-$(key_from .env)}
KEY=${KEY:-$(key_from ../.env)}
if [ -z "$KEY" ]; then
  echo "test-litellm: no LITELLM_MASTER_KEY (run ../sync-env.sh)" >&2
  exit 1
fi

# The key reaches curl in a header file (mode 600, written by the shell's printf builtin), never
# on curl's command line, where `ps` shows it to every user of the machine.
AUTH_FILE=$(umask 077 && mktemp)
trap 'rm -f "$AUTH_FILE"' EXIT
printf 'Authorization: Bearer %s\n' "$KEY" >"$AUTH_FILE"
AUTH=(-H "@$AUTH_FILE")

failures=0
pass() { printf '  PASS  %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*"; failures=$((failures + 1)); }

# request METHOD PATH [curl args...] -> STATUS, BODY
request() {
  local method=$1 path=$2 out
  shift 2
  out=$(curl -sS --max-time "$MAX_TIME" -w '\n%{http_code}' -X "$method" "$@" "$LITELLM_URL$path" 2>&1) || {
    STATUS=000
    BODY=${out%$'\n'*}
    return 0
  }
  STATUS=${out##*$'\n'}
  BODY=${out%$'\n'*}
}

echo "LiteLLM: $LITELLM_URL (key ${KEY:0:5}…)"

request GET /health/liveliness
if [ "$STATUS" = 200 ]; then pass "/health/liveliness -> 200 $BODY"; else fail "/health/liveliness -> $STATUS ${BODY:0:200}"; fi

request GET /v1/models
if [ "$STATUS" = 401 ]; then pass "/v1/models without a key -> 401"; else fail "/v1/models without a key -> $STATUS (expected 401)"; fi

request GET /v1/models "${AUTH[@]}"
models=()
if [ "$STATUS" = 200 ]; then
  while IFS= read -r id; do [ -n "$id" ] && models+=("$id"); done < <(
    printf '%s' "$BODY" | grep -o '"id"[[:space:]]*:[[:space:]]*"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/'
  )
  pass "/v1/models -> 200: ${models[*]:-(none)}"
else
  fail "/v1/models with key -> $STATUS ${BODY:0:200}"
fi

candidates=("${models[@]}")
if [ -n "${MODEL:-}" ]; then candidates=("$MODEL"); fi
answered=''
for model in "${candidates[@]}"; do
  request POST /v1/chat/completions "${AUTH[@]}" -H "Content-Type: application/json" \
    -d "{\"model\":\"$model\",\"messages\":[{\"role\":\"user\",\"content\":\"Reply with the single word: pong\"}],\"max_tokens\":64}"
  if [ "$STATUS" = 200 ] && printf '%s' "$BODY" | grep -q '"choices"'; then
    pass "chat completion from $model -> 200"
    answered=$model
    break
  fi
  echo "        $model -> $STATUS ${BODY:0:160}"
done
[ -n "$answered" ] || fail "no model answered a chat completion (are the model servers running?)"

if [ "$failures" -eq 0 ]; then echo "All checks passed."; exit 0; fi
echo "$failures check(s) failed."
exit 1
