#!/usr/bin/env bash
# Generates the gateway's self-signed TLS certificate: ssl/public.pem and ssl/private.pem.
#
#   ./certs.sh            # refuses to overwrite an existing ssl/public.pem or ssl/private.pem
#   ./certs.sh --force    # moves the old pair to ssl/backup-<timestamp>/ first
#
# Subject alternative names: localhost, 127.0.0.1, ::1 and this machine's host name(s), plus
# any in CERT_EXTRA_SANS (comma-separated, e.g. "DNS:spark.lan,IP:192.168.1.20").
# Valid for ten years. The private key is mode 600.
# Clients trust this exact certificate (e.g. `curl --cacert ssl/public.pem`); for production,
# put a CA-issued pair in ssl/ under the same names instead.
set -euo pipefail

cd "$(dirname "$0")"

SSL_DIR=ssl
CERT=$SSL_DIR/public.pem
KEY=$SSL_DIR/private.pem
DAYS=3650

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

force=0
for arg in "$@"; do
  case $arg in
    -f | --force) force=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "certs.sh: unknown argument: $arg" >&2; usage >&2; exit 2 ;;
  esac
done

command -v openssl >/dev/null 2>&1 || { echo "certs.sh: openssl is required (apt-get install openssl)" >&2; exit 1; }

mkdir -p "$SSL_DIR"

if [ -e "$CERT" ] || [ -e "$KEY" ]; then
  if [ "$force" -ne 1 ]; then
    echo "certs.sh: $CERT or $KEY already exists; not overwriting it." >&2
    echo "          Run ./certs.sh --force to replace it (the old pair is kept in $SSL_DIR/backup-<timestamp>/)." >&2
    exit 1
  fi
  backup=$SSL_DIR/backup-$(date -u +%Y%m%dT%H%M%SZ)
  n=1
  while [ -e "$backup" ]; do backup=$SSL_DIR/backup-$(date -u +%Y%m%dT%H%M%SZ)-$n; n=$((n + 1)); done
  mkdir -m 700 "$backup"
  for f in "$CERT" "$KEY"; do
    if [ -e "$f" ]; then mv "$f" "$backup/"; fi
  done
  echo "Kept the previous certificate and key in $backup/"
fi

# Host names: short and fully qualified, when they differ from localhost.
sans="DNS:localhost,IP:127.0.0.1,IP:::1"
for name in "$(hostname 2>/dev/null || true)" "$(hostname -f 2>/dev/null || true)"; do
  case $name in '' | localhost | localhost.*) continue ;; esac
  case ",$sans," in *",DNS:$name,"*) continue ;; esac
  sans="$sans,DNS:$name"
done
if [ -n "${CERT_EXTRA_SANS:-}" ]; then sans="$sans,$CERT_EXTRA_SANS"; fi

work=$(mktemp -d "$SSL_DIR/.certs.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A config of our own, so the result does not depend on the distribution's openssl.cnf.
cat >"$work/openssl.cnf" <<EOF
[req]
distinguished_name = dn
x509_extensions = v3
prompt = no

[dn]
CN = localhost
O = Spark Gateway (self-signed)

[v3]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = $sans
EOF

umask 077
openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days "$DAYS" \
  -config "$work/openssl.cnf" -keyout "$work/private.pem" -out "$work/public.pem" 2>"$work/openssl.log" || {
  cat "$work/openssl.log" >&2
  echo "certs.sh: openssl failed" >&2
  exit 1
}
chmod 600 "$work/private.pem"
chmod 644 "$work/public.pem"
mv -f "$work/private.pem" "$KEY"
mv -f "$work/public.pem" "$CERT"

echo "Wrote $CERT (valid $DAYS days) and $KEY (mode 600)."
echo "Names: $sans"
echo "Fingerprint: $(openssl x509 -in "$CERT" -noout -fingerprint -sha256 | cut -d= -f2)"
