#!/usr/bin/env bash
# Two extra "Sparks" on this one test machine for the [hosts] tests (SPEC §6, §9): each a network
# namespace with its own address on a bridge, its own Docker engine and its own SSH server, reached
# through `ssh://` Docker contexts exactly as a user reaches a second Spark.
#
#   main namespace  sgbr0 10.231.7.1/24 ──veth── sg-spark2 (10.231.7.2): dockerd + sshd
#                                       └─veth── sg-spark3 (10.231.7.3): dockerd + sshd
#
#   test/support/hosts-env.sh up       idempotent: reuses what runs and answers, starts the rest
#   test/support/hosts-env.sh down     stops what `up` started (by its pid files), removes the
#                                      namespaces, the bridge, the contexts and the client folder
#   test/support/hosts-env.sh check    exit 0 when every engine answers through its ssh:// context
#   test/support/hosts-env.sh sshd-stop NAME | sshd-start NAME   (the "unreachable host" tests)
#
# Each engine: `nsenter --net=/var/run/netns/NAME dockerd` (only the network namespace is entered:
# `ip netns exec` remounts /sys and dockerd then fails with "Devices cgroup isn't mounted"), with
# its own data root /var/lib/spark-hosts/NAME, exec root and socket under /run/spark-hosts/NAME, and
# the PATH of scripts/dockerd.sh so the no-op nvidia hook lets GPU compose files start. Its default
# bridge lives inside the namespace, so it never clashes with the main engine's.
# Each sshd: Debian's /usr/sbin/sshd with its own config, host key and pid file, listening only on
# the namespace's address, key login for root only, and `SetEnv DOCKER_HOST=unix://…/docker.sock`
# so `docker system dial-stdio` over ssh reaches THAT namespace's engine.
# The client side lives in /run/spark-hosts/client (never root's ~/.ssh or ~/.docker): a test key,
# known_hosts with the hosts' keys, an ssh config, an `ssh` wrapper that passes it (OpenSSH reads
# the passwd home, not $HOME, so a wrapper on PATH is how the docker CLI's ssh gets our config), an
# ssh-agent holding the key (docker-modem's ssh2 authenticates through SSH_AUTH_SOCK), and a
# DOCKER_CONFIG with the contexts sg-spark2 and sg-spark3. test/support/hosts.ts reads `env` there.
# Traffic stays in these namespaces and loopback: nothing listens on another interface.
set -euo pipefail

BRIDGE="sgbr0"
BRIDGE_ADDR="10.231.7.1"
HOSTS=("sg-spark2:10.231.7.2" "sg-spark3:10.231.7.3")
RUN="/run/spark-hosts"
DATA="/var/lib/spark-hosts"
CLIENT="$RUN/client"
DOCKERD_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

log() { printf '[hosts-env] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (network namespaces, dockerd, sshd)"
for tool in ip nsenter dockerd docker /usr/sbin/sshd ssh-keygen ssh-agent ssh-add; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing: run scripts/provision-test-env.sh"
done

# One `up`/`down` at a time (two test processes could start together).
mkdir -p "$RUN"
exec 8>"$RUN/.lock"
flock -w 300 8 || die "another hosts-env.sh holds $RUN/.lock"

alive() { local pid; pid="$(cat "$1" 2>/dev/null || true)"; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
# Sends SIGTERM to the pid in $1 and waits up to $2 seconds for it to go.
stop_pidfile() {
  local pidfile="$1" wait_s="${2:-20}" pid _
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 $((wait_s * 5))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && { log "pid $pid ($pidfile) ignored SIGTERM: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; }
  fi
  rm -f "$pidfile"
}
CLIENT_ENV=(env PATH="$CLIENT/bin:$PATH" DOCKER_CONFIG="$CLIENT/docker" SSH_AUTH_SOCK="$CLIENT/agent.sock")
client_env() { "${CLIENT_ENV[@]}" "$@"; }
# What is left in namespace $1 named $2 (or anything, without $2): sshd's per-connection processes
# outlive its listener, and a client's connection to them would hang once the namespace is gone.
kill_in_namespace() {
  local pid
  [ -e "/var/run/netns/$1" ] || return 0
  for pid in $(ip netns pids "$1" 2>/dev/null); do
    if [ -z "${2:-}" ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
}
stop_sshd() {
  stop_pidfile "$RUN/$1/sshd.pid" 10
  kill_in_namespace "$1" sshd
}
engine_answers() { timeout 10 docker -H "unix://$RUN/$1/docker.sock" version --format '{{.Server.Version}}' >/dev/null 2>&1; }
context_answers() { timeout 20 "${CLIENT_ENV[@]}" docker --context "$1" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

up_network() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    log "created bridge $BRIDGE"
  fi
  # (No `| grep -q` under pipefail: grep's early exit can fail the `ip` before it.)
  [[ "$(ip -o addr show dev "$BRIDGE")" == *"inet $BRIDGE_ADDR/24"* ]] || ip addr add "$BRIDGE_ADDR/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  local entry name addr veth
  for entry in "${HOSTS[@]}"; do
    name="${entry%%:*}" addr="${entry#*:}" veth="v-${name#sg-}"
    [ -e "/var/run/netns/$name" ] || { ip netns add "$name"; log "created network namespace $name"; }
    if ! ip link show "$veth" >/dev/null 2>&1; then
      ip link add "$veth" type veth peer name eth0 netns "$name"
      ip link set "$veth" master "$BRIDGE" up
    fi
    ip -n "$name" link set lo up
    [[ "$(ip -n "$name" -o addr show dev eth0)" == *"inet $addr/24"* ]] || ip -n "$name" addr add "$addr/24" dev eth0
    ip -n "$name" link set eth0 up
    [ -n "$(ip -n "$name" route show default)" ] || ip -n "$name" route add default via "$BRIDGE_ADDR"
  done
}

up_client() {
  mkdir -p "$CLIENT/bin" "$CLIENT/docker" "$CLIENT/home"
  chmod 0700 "$CLIENT"
  [ -f "$CLIENT/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C spark-hosts-test -f "$CLIENT/id_ed25519"
  cp "$CLIENT/id_ed25519.pub" "$CLIENT/authorized_keys"
  chmod 0600 "$CLIENT/id_ed25519" "$CLIENT/authorized_keys"
  {
    local entry
    printf 'Host'
    for entry in "${HOSTS[@]}"; do printf ' %s' "${entry#*:}"; done
    printf '\n'
    printf '  User root\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n' "$CLIENT/id_ed25519" "$CLIENT/known_hosts"
    printf '  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  UpdateHostKeys no\n  BatchMode yes\n  ConnectTimeout 5\n'
  } > "$CLIENT/ssh_config"
  printf '#!/bin/sh\n# The hosts tests'"'"' ssh: their own config, never ~/.ssh (test/support/hosts-env.sh).\nexec /usr/bin/ssh -F %s "$@"\n' "$CLIENT/ssh_config" > "$CLIENT/bin/ssh"
  chmod 0755 "$CLIENT/bin/ssh"
  if ! alive "$CLIENT/agent.pid" || ! SSH_AUTH_SOCK="$CLIENT/agent.sock" ssh-add -l >/dev/null 2>&1; then
    stop_pidfile "$CLIENT/agent.pid" 5
    rm -f "$CLIENT/agent.sock"
    ssh-agent -a "$CLIENT/agent.sock" -s > "$CLIENT/agent.env" 9>&- 8>&-
    sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p' "$CLIENT/agent.env" > "$CLIENT/agent.pid"
    SSH_AUTH_SOCK="$CLIENT/agent.sock" ssh-add -q "$CLIENT/id_ed25519"
    log "ssh-agent $(cat "$CLIENT/agent.pid") holds the test key"
  fi
}

up_engine() {
  local name="$1" dir="$RUN/$1"
  mkdir -p "$dir" "$DATA/$name"
  if alive "$dir/docker.pid" && engine_answers "$name"; then return 0; fi
  stop_pidfile "$dir/docker.pid" 30
  log "starting dockerd in $name (log: $dir/dockerd.log)"
  setsid env -i PATH="$DOCKERD_PATH" HOME=/root \
    nsenter --net="/var/run/netns/$name" -- dockerd \
      --data-root "$DATA/$name" --exec-root "$dir/exec" -H "unix://$dir/docker.sock" \
      --pidfile "$dir/docker.pid" \
    >> "$dir/dockerd.log" 2>&1 < /dev/null 8>&- 9>&- &
  local _
  for _ in $(seq 1 60); do engine_answers "$name" && return 0; sleep 1; done
  tail -20 "$dir/dockerd.log" >&2 || true
  die "dockerd in $name did not answer within 60 s"
}

up_sshd() {
  local name="$1" addr="$2" dir="$RUN/$1"
  [ -f "$dir/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$dir/ssh_host_ed25519_key"
  cat > "$dir/sshd_config" <<EOF
# sshd of the test host $name (test/support/hosts-env.sh): only on its namespace's address.
ListenAddress $addr:22
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $CLIENT/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
# The engine of THIS host: \`docker system dial-stdio\` (docker CLI, docker-modem) reads DOCKER_HOST.
SetEnv DOCKER_HOST=unix://$dir/docker.sock
EOF
  printf '%s %s\n' "$addr" "$(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")" > "$dir/known_host"
  if alive "$dir/sshd.pid"; then return 0; fi
  mkdir -p /run/sshd   # sshd's privilege separation folder
  /usr/sbin/sshd -t -f "$dir/sshd_config" || die "sshd config $dir/sshd_config is refused"
  # sshd forks into the background and writes its PidFile once it listens.
  nsenter --net="/var/run/netns/$name" -- /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log" < /dev/null 8>&- 9>&-
  local _
  for _ in $(seq 1 50); do alive "$dir/sshd.pid" && return 0; sleep 0.1; done
  tail -20 "$dir/sshd.log" >&2 || true
  die "sshd in $name did not start"
}

up_context() {
  local name="$1" addr="$2" want
  want="ssh://root@$addr"
  if [ "$(client_env docker context inspect "$name" --format '{{.Endpoints.docker.Host}}' 2>/dev/null || true)" != "$want" ]; then
    client_env docker context rm -f "$name" >/dev/null 2>&1 || true
    client_env docker context create "$name" --description "Spark Gateway test host $name" --docker "host=$want" >/dev/null
  fi
}

cmd_up() {
  up_network
  up_client
  local entry name addr
  : > "$CLIENT/known_hosts.new"
  for entry in "${HOSTS[@]}"; do
    name="${entry%%:*}" addr="${entry#*:}"
    up_engine "$name"
    up_sshd "$name" "$addr"
    cat "$RUN/$name/known_host" >> "$CLIENT/known_hosts.new"
    up_context "$name" "$addr"
  done
  mv -f "$CLIENT/known_hosts.new" "$CLIENT/known_hosts"
  cmd_check
}

cmd_check() {
  local entry name bad=0
  for entry in "${HOSTS[@]}"; do
    name="${entry%%:*}"
    if ! context_answers "$name"; then
      log "context $name does not answer: $(client_env docker --context "$name" version 2>&1 | tail -1)"
      bad=1
    fi
  done
  return "$bad"
}

cmd_down() {
  local entry name veth
  for entry in "${HOSTS[@]}"; do
    name="${entry%%:*}" veth="v-${name#sg-}"
    stop_sshd "$name"
    if alive "$RUN/$name/docker.pid"; then
      # Containers of a test that failed midway would keep their namespace's ports; remove them.
      local ids
      ids="$(docker -H "unix://$RUN/$name/docker.sock" ps -aq 2>/dev/null || true)"
      [ -z "$ids" ] || docker -H "unix://$RUN/$name/docker.sock" rm -f $ids >/dev/null 2>&1 || true
    fi
    stop_pidfile "$RUN/$name/docker.pid" 30
    kill_in_namespace "$name"
    # Let the clients' last packets (their FIN after the server's) be answered while the link is
    # still there; a connection whose peer vanished first retransmits for minutes.
    sleep 1
    ip link show "$veth" >/dev/null 2>&1 && ip link del "$veth"
    [ -e "/var/run/netns/$name" ] && ip netns del "$name"
    # The exec root holds containerd's state and mounts; the data root (images) is kept, so the
    # next `up` starts with the simulator image already loaded.
    rm -rf "${RUN:?}/$name"
  done
  ip link show "$BRIDGE" >/dev/null 2>&1 && ip link del "$BRIDGE"
  stop_pidfile "$CLIENT/agent.pid" 5
  rm -rf "$CLIENT"
  log "down"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  check) cmd_check ;;
  sshd-stop) [ -n "${2:-}" ] || die "sshd-stop NAME"; stop_sshd "$2" ;;
  sshd-start)
    [ -n "${2:-}" ] || die "sshd-start NAME"
    for entry in "${HOSTS[@]}"; do [ "${entry%%:*}" = "$2" ] && up_sshd "$2" "${entry#*:}"; done ;;
  *) die "usage: $0 up|down|check|sshd-stop NAME|sshd-start NAME" ;;
esac
