#!/usr/bin/env bash
# Installs an NGINX new enough for the stack's config into /opt/spark-gateway/nginx-<version>, for
# the tests. The stack's pinned image (NGINX_IMAGE, nginx:1.27.5-alpine) finds LiteLLM through an
# upstream `server … resolve` with a keepalive pool, which open-source NGINX has since 1.27.3;
# Debian 12's nginx is 1.22 and refuses it.
#
# Which NGINX: the one package source reachable here is Debian's archive, and the only NGINX
# >= 1.27.3 it serves is unstable's binary package (its source tarball is not served, so it cannot
# be built from source). That binary needs a newer C library and OpenSSL than Debian 12's, so it
# runs with unstable's own runtime libraries: the pinned .deb files below are unpacked (not
# installed: nothing in the system changes) under the folder, and `bin/nginx` runs the binary
# through that runtime's dynamic loader. Each file is pinned by version and SHA-256 (from
# unstable's package index). The http modules the stack uses (ssl, proxy, upstream keepalive and
# zone, map, v2) are built into Debian's binary.
#
# Unstable moves on: when a pinned file has left the archive the download fails, and this script
# says how to move the pins. Idempotent: a folder whose marker has the version is left alone.
#
# Environment (optional):
#   SPARK_NGINX_BASE    where the folder goes (default /opt/spark-gateway)
set -euo pipefail

NGINX_VERSION="1.30.6"
BASE="${SPARK_NGINX_BASE:-/opt/spark-gateway}"
DEST="$BASE/nginx-$NGINX_VERSION"
MARKER="$DEST/.spark-gateway-nginx-version"
MIRROR="http://deb.debian.org/debian"
# path in the archive, SHA-256 (Debian unstable, amd64).
PINS=(
  "pool/main/n/nginx/nginx_1.30.6-2_amd64.deb de2674f95555968f09efbd9902273444e87328cd1426876410279c2af0a6dcdd"
  "pool/main/g/glibc/libc6_2.43-7_amd64.deb 5c71715c51103beb4fbba9fe9f8dff604af6610dfa71c70bff342f54a7860803"
  "pool/main/o/openssl/libssl3t64_3.6.5-1_amd64.deb 0a0ec84fe860c5c93c74d53cbb071aea0793327a3761b483080e9d7b73c21b37"
  "pool/main/p/pcre2/libpcre2-8-0_10.49-1_amd64.deb 854da48a72f55b3f6f20389b58a3e94bddd06dc02b2a9fadd006ccd0048d14ab"
  "pool/main/libz/libzstd/libzstd1_1.5.7+dfsg-4_amd64.deb 93e7930e4c25b918f1dd980cc1c6d4487654a248f5fa71eacb976ed7bbe954bd"
  "pool/main/libx/libxcrypt/libcrypt1_4.5.2+20251210-1_amd64.deb 3ed2cd1666bb12315542f03c892e98d83efb382b7de1747d60d9960899857ed5"
  "pool/main/z/zlib/zlib1g_1.3.dfsg+really1.3.2-4_amd64.deb 8506ce550a81ac14b047608e0df121037d9cbb10c3cc28446f68cf8c1d9d31ce"
)

log() { printf '[provision-nginx] %s\n' "$*"; }
die() { printf '[provision-nginx] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(uname -m)" = x86_64 ] || die "the pinned packages are amd64; on $(uname -m) pin the same packages of that architecture"

mkdir -p "$BASE"
exec 7>"$BASE/.provision-nginx.lock"
flock -w 600 7 || die "another run holds $BASE/.provision-nginx.lock"

probe() { "$DEST/bin/nginx" -v 2>&1 | grep -qx "nginx version: nginx/$NGINX_VERSION"; }

if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$NGINX_VERSION" ] && probe; then
  log "nginx $NGINX_VERSION already in $DEST"
  exit 0
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
rm -rf "$DEST.partial"
mkdir -p "$DEST.partial/root" "$DEST.partial/bin"
for pin in "${PINS[@]}"; do
  file="${pin%% *}"; sum="${pin##* }"
  deb="$TMP/$(basename "$file")"
  curl -fsSL --retry 3 -o "$deb" "$MIRROR/$file" \
    || die "$MIRROR/$file could not be fetched: Debian unstable has probably moved on. Pin the current versions: 'apt-cache show nginx libc6 libssl3t64 libpcre2-8-0 libzstd1 libcrypt1 zlib1g' with unstable in a sources list gives each Filename and SHA256 (nginx >= 1.27.3)"
  echo "$sum  $deb" | sha256sum -c --quiet - || die "$file does not have the pinned SHA-256 $sum"
  dpkg-deb -x "$deb" "$DEST.partial/root"
done

# The loader of the unpacked C library runs the binary with the unpacked libraries first.
cat > "$DEST.partial/bin/nginx" <<EOF
#!/bin/sh
# NGINX $NGINX_VERSION from Debian unstable with its own runtime (scripts/provision-nginx.sh).
root="$DEST/root"
exec "\$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" --library-path "\$root/usr/lib/x86_64-linux-gnu" "\$root/usr/sbin/nginx" "\$@"
EOF
chmod 0755 "$DEST.partial/bin/nginx"
# The wrapper names its final folder; move it there, then check it.
rm -rf "$DEST"
mv "$DEST.partial" "$DEST"
probe || { "$DEST/bin/nginx" -v >&2 || true; die "$DEST/bin/nginx does not run"; }
printf '%s\n' "$NGINX_VERSION" > "$MARKER"
log "installed nginx $NGINX_VERSION in $DEST ($("$DEST/bin/nginx" -V 2>&1 | sed -n 's/^built with //p'))"
