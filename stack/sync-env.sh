#!/usr/bin/env bash
# Propagates the stack's .env to the folders whose compose files need it.
#
#   ./sync-env.sh
#
# - Creates .env from .env.example when .env is missing.
# - Generates LITELLM_MASTER_KEY (sk- + 48 hex), LITELLM_SALT_KEY, POSTGRES_PASSWORD and
#   VLLM_API_KEY (the key of model servers on other hosts) when they are empty or still a
#   placeholder, and writes them back to .env. A value that is set is never changed.
# - Writes <model>/.env for every model folder (a folder with a docker-compose.yml) and
#   litellm/.env, each marked "generated, do not edit".
# - Never prints a secret whole (the HF token is shown as hf_ab…yz).
# - Every file is written to a temporary file first and moved into place, mode 600.
set -euo pipefail

cd "$(dirname "$0")"

TEMPLATE=.env.example
ENV_FILE=.env

die() { echo "sync-env: $*" >&2; exit 1; }

# mask VALUE -> first 5 and last 2 characters, e.g. hf_ab…yz; short values are hidden entirely.
mask() {
  local v=$1
  if [ "${#v}" -le 10 ]; then printf '%s' '(set, hidden)'; else printf '%s…%s' "${v:0:5}" "${v: -2}"; fi
}

# random_hex N -> N random bytes as 2N hex characters.
random_hex() {
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -hex "$1"
  else
    od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
  fi
}

# write_atomic PATH: stdin -> PATH via a temporary file in the same folder, mode 600.
write_atomic() {
  local path=$1 tmp
  tmp=$(mktemp "$(dirname "$path")/.env.tmp.XXXXXX")
  chmod 600 "$tmp"
  if ! cat >"$tmp"; then rm -f "$tmp"; die "cannot write $path"; fi
  mv -f "$tmp" "$path"
}

# --- read .env -----------------------------------------------------------------------------
if [ ! -f "$ENV_FILE" ]; then
  [ -f "$TEMPLATE" ] || die "neither $ENV_FILE nor $TEMPLATE found in $(pwd)"
  write_atomic "$ENV_FILE" <"$TEMPLATE"
  echo "Created $ENV_FILE from $TEMPLATE (set HF_TOKEN in it)."
fi
chmod 600 "$ENV_FILE"

# The file is parsed, not sourced: it is data, and sourcing would run whatever is in it.
declare -A ENV=()
declare -a ORDER=()
while IFS= read -r line || [ -n "$line" ]; do
  line=${line%$'\r'}
  case $line in '' | '#'*) continue ;; esac
  line=${line#export }
  [[ $line == *=* ]] || continue
  key=${line%%=*}
  key=${key//[[:space:]]/}
  value=${line#*=}
  # Strip one pair of surrounding quotes.
  if [[ $value =~ ^\"(.*)\"$ ]] || [[ $value =~ ^\'(.*)\'$ ]]; then value=${BASH_REMATCH[1]}; fi
  [[ $key =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
  [ -n "${ENV[$key]+x}" ] || ORDER+=("$key")
  ENV[$key]=$value
done <"$ENV_FILE"

get() { printf '%s' "${ENV[$1]-}"; }

# LiteLLM worker processes (README "LiteLLM workers": 8 suits a 20-core Spark). Always written to
# litellm/.env, whose compose file reads it; the same default and check as `spark-gateway sync-env`.
LITELLM_NUM_WORKERS_DEFAULT=8
NUM_WORKERS=$(get LITELLM_NUM_WORKERS)
NUM_WORKERS=${NUM_WORKERS:-$LITELLM_NUM_WORKERS_DEFAULT}
[[ $NUM_WORKERS =~ ^[1-9][0-9]{0,2}$ ]] || die "$ENV_FILE: LITELLM_NUM_WORKERS must be a whole number of LiteLLM worker processes from 1 to 999 (set LITELLM_NUM_WORKERS=$LITELLM_NUM_WORKERS_DEFAULT, or remove the line)"

# A secret that is empty or a well-known placeholder. `sk-123[4]` matches the default master key
# the public guide shipped (written as a pattern so that key appears nowhere in the stack).
is_placeholder() {
  case $1 in
    '' | sk-123[4] | changeme | change-me | change_me | '<'*'>') return 0 ;;
    *) return 1 ;;
  esac
}

# --- secrets -------------------------------------------------------------------------------
declare -A GENERATED=()
ensure_secret() {
  local key=$1 value=$2
  if is_placeholder "$(get "$key")"; then
    ENV[$key]=$value
    GENERATED[$key]=1
  fi
}
ensure_secret LITELLM_MASTER_KEY "sk-$(random_hex 24)"
ensure_secret LITELLM_SALT_KEY "sk-$(random_hex 24)"
ensure_secret POSTGRES_PASSWORD "$(random_hex 24)"
ensure_secret VLLM_API_KEY "sk-$(random_hex 24)"

if [ "${#GENERATED[@]}" -gt 0 ]; then
  # Rewrite .env with the generated values, keeping every other line (comments included) as is.
  tmp_out=$(
    declare -A done_keys=()
    while IFS= read -r line || [ -n "$line" ]; do
      stripped=${line%$'\r'}
      key=${stripped#export }
      key=${key%%=*}
      key=${key//[[:space:]]/}
      if [[ $stripped != '#'* && $stripped == *=* && -n "${GENERATED[$key]+x}" && -z "${done_keys[$key]+x}" ]]; then
        printf '%s=%s\n' "$key" "${ENV[$key]}"
        done_keys[$key]=1
      else
        printf '%s\n' "$line"
      fi
    done <"$ENV_FILE"
    for key in LITELLM_MASTER_KEY LITELLM_SALT_KEY POSTGRES_PASSWORD VLLM_API_KEY; do
      if [ -n "${GENERATED[$key]+x}" ] && [ -z "${done_keys[$key]+x}" ]; then
        printf '%s=%s\n' "$key" "${ENV[$key]}"
      fi
    done
  )
  printf '%s\n' "$tmp_out" | write_atomic "$ENV_FILE"
  for key in LITELLM_MASTER_KEY LITELLM_SALT_KEY POSTGRES_PASSWORD VLLM_API_KEY; do
    if [ -n "${GENERATED[$key]+x}" ]; then
      echo "Generated $key in $ENV_FILE: $(mask "${ENV[$key]}")"
    fi
  done
fi

# --- HF token --------------------------------------------------------------------------------
HF_TOKEN_VALUE=$(get HF_TOKEN)
case $HF_TOKEN_VALUE in
  '' | hf_your_token_here | *your*token* | '<'*'>')
    HF_TOKEN_VALUE=''
    echo "HF_TOKEN: not set in $ENV_FILE (the models are public; a token raises download rate limits)."
    ;;
  *) echo "HF_TOKEN: $(mask "$HF_TOKEN_VALUE")" ;;
esac

# --- per-folder .env files ---------------------------------------------------------------------
HEADER="# Generated by ../sync-env.sh from ../.env - do not edit; edit ../.env and run ../sync-env.sh."
MEMORY_VARS=()
for key in "${ORDER[@]}"; do
  if [[ $key == *_GPU_MEMORY_UTILIZATION ]]; then MEMORY_VARS+=("$key"); fi
done

# model_env COMPOSE_FILE -> the .env for that model's folder (its own memory fraction only).
model_env() {
  local compose=$1 level key
  echo "$HEADER"
  if [ -n "$HF_TOKEN_VALUE" ]; then
    echo "HF_TOKEN=$HF_TOKEN_VALUE"
  else
    echo "# HF_TOKEN is not set in ../.env"
  fi
  level=$(get VLLM_LOGGING_LEVEL)
  echo "VLLM_LOGGING_LEVEL=${level:-INFO}"
  for key in "${MEMORY_VARS[@]}"; do
    if [ -n "$(get "$key")" ] && grep -q "\${$key" "$compose"; then echo "$key=$(get "$key")"; fi
  done
  # Image overrides and the shared weights cache, read by the compose files' ${VAR:-default}.
  for key in VLLM_SPARK_IMAGE VLLM_GPU_IMAGE HF_CACHE_DIR; do
    if [ -n "$(get "$key")" ]; then echo "$key=$(get "$key")"; fi
  done
}

litellm_env() {
  echo "$HEADER"
  local key
  for key in LITELLM_MASTER_KEY LITELLM_SALT_KEY POSTGRES_PASSWORD VLLM_API_KEY; do
    echo "$key=$(get "$key")"
  done
  echo "LITELLM_NUM_WORKERS=$NUM_WORKERS"
  # Optional LiteLLM settings and image overrides, passed through when set in ../.env.
  for key in UI_USERNAME UI_PASSWORD LITELLM_LOG LITELLM_IMAGE REDIS_IMAGE POSTGRES_IMAGE; do
    if [ -n "$(get "$key")" ]; then echo "$key=$(get "$key")"; fi
  done
}

written=()
for compose in */docker-compose.yml; do
  [ -f "$compose" ] || continue
  dir=${compose%/docker-compose.yml}
  # backup-*: copies `spark-gateway adopt` keeps of the files it changed. simulator: stacks created
  # before the simulator moved out of stack/ still hold a copy.
  case $dir in litellm | simulator | nginx | ssl | backup-*) continue ;; esac
  model_env "$compose" | write_atomic "$dir/.env"
  written+=("$dir/.env")
done
if [ -d litellm ]; then
  litellm_env | write_atomic litellm/.env
  written+=("litellm/.env")
fi

echo "LITELLM_MASTER_KEY: $(mask "$(get LITELLM_MASTER_KEY)")"
echo "Wrote ${written[*]:-nothing} (mode 600)."
