#!/usr/bin/env bash
# Stops or starts the test machine's dockerd exactly as scripts/provision-test-env.sh starts it
# (same PATH with the no-op nvidia hook, same pid file and log, its own session; systemctl where
# systemd runs). The [live] integration test uses it to restart the daemon under the tests' feet.
#
#   scripts/dockerd.sh stop      # SIGTERM, wait until the pid is gone (30 s)
#   scripts/dockerd.sh start     # start and wait until `docker info` answers (60 s)
#   scripts/dockerd.sh restart
#
# Keep in step with start_dockerd/stop_dockerd in provision-test-env.sh (values below are its own).
set -euo pipefail

DOCKERD_LOG="${DOCKERD_LOG:-/var/log/dockerd.log}"
DOCKERD_PIDFILE="/var/run/docker.pid"
DOCKERD_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
HAS_SYSTEMD=0
if [ "$(ps -o comm= -p 1 2>/dev/null | tr -d ' ')" = "systemd" ]; then HAS_SYSTEMD=1; fi

log() { printf '[dockerd] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
docker_up() { timeout 10 docker info >/dev/null 2>&1; }

clear_stale_pidfile() {
  local pidfile="$1" comm="$2" pid
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  [ -n "$pid" ] || return 0
  # A zombie (killed, not yet reaped) still has its name in /proc but counts as gone.
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" != "$comm" ] \
     || [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)" = "Z" ]; then
    rm -f "$pidfile"
    log "removed stale $pidfile (pid $pid is not $comm)"
  fi
}

start_dockerd() {
  if docker_up; then log "dockerd already answers"; return 0; fi
  if [ "$HAS_SYSTEMD" = 1 ]; then
    systemctl enable docker >/dev/null 2>&1 || true
    systemctl start docker
  else
    clear_stale_pidfile "$DOCKERD_PIDFILE" dockerd
    clear_stale_pidfile /var/run/docker/containerd/containerd.pid containerd
    log "starting dockerd (log: $DOCKERD_LOG)"
    setsid env -i PATH="$DOCKERD_PATH" HOME=/root dockerd --pidfile "$DOCKERD_PIDFILE" \
      >> "$DOCKERD_LOG" 2>&1 < /dev/null &
  fi
  local _
  for _ in $(seq 1 60); do docker_up && return 0; sleep 1; done
  tail -30 "$DOCKERD_LOG" >&2 || true
  die "dockerd did not answer within 60 s"
}

stop_dockerd() {
  local pid _
  if [ "$HAS_SYSTEMD" = 1 ]; then systemctl stop docker; return 0; fi
  pid="$(cat "$DOCKERD_PIDFILE" 2>/dev/null || true)"
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
    die "$DOCKERD_PIDFILE has no live pid; is dockerd running?"
  fi
  log "stopping dockerd (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 1; done
  die "dockerd (pid $pid) did not stop within 30 s"
}

case "${1:-}" in
  start) start_dockerd ;;
  stop) stop_dockerd ;;
  restart) stop_dockerd; start_dockerd ;;
  *) die "usage: $0 start|stop|restart" ;;
esac
