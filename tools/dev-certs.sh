#!/usr/bin/env bash
# Development certificates for tpp (never for production: the CA key sits
# beside the certificates it signs).
#
#   tools/dev-certs.sh [--ca-only] OUT_DIR [ROLE/ID...]
#   e.g. tools/dev-certs.sh var/tls provider/750100001 insurer/100000001 \
#          operator/alice operator/bob
#
# Writes into OUT_DIR:
#   ca.pem, ca.key        a dev CA; made only if absent, so that later calls
#                         add identities signed by the same CA
#   server.pem/.key       serverAuth, SANs DNS:localhost, IP:127.0.0.1, IP:::1
#   <role>-<id>.pem/.key  per identity, clientAuth, whose only URI SAN is
#                         spiffe://$TPP_TRUST_DOMAIN/<role>/<id>
#                         (TPP_TRUST_DOMAIN defaults to tpp.local)
# --ca-only makes the CA (if absent) and nothing else.
#
# EC P-256 keys, mode 0600; certificates 0644. Files that exist are left
# alone (a pair is written under temporary names, then renamed, so an
# interrupted run never leaves a certificate without its key).
#
# For tests of the server's refusals: TPP_EXTRA_URI_SAN=URI adds a second URI
# SAN; TPP_NO_URI_SAN=1 leaves the URI SAN out (the certificate gets a DNS SAN
# instead). Both still pass the TLS handshake: tppd refuses them itself.
#
# Every openssl command is echoed on stderr, ready to copy.
set -euo pipefail

readonly kDays=825

usage() {
  echo "usage: $0 [--ca-only] OUT_DIR [ROLE/ID...]" >&2
  exit 2
}

ca_only=0
if [ "${1:-}" = "--ca-only" ]; then
  ca_only=1
  shift
fi
[ $# -ge 1 ] || usage
case "$1" in -*) usage ;; esac
out=$1
shift
domain=${TPP_TRUST_DOMAIN:-tpp.local}
# SPIFFE: a trust domain is lower-case letters, digits, '.', '-', '_'.
if ! [[ $domain =~ ^[a-z0-9._-]+$ ]]; then
  echo "dev-certs: bad TPP_TRUST_DOMAIN '$domain'" >&2
  exit 2
fi

# Checks every identity before writing anything.
for identity in "$@"; do
  # SPIFFE path segments: letters, digits, '.', '-', '_'; never '.' or '..'.
  if ! [[ $identity =~ ^[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$ ]] ||
    [[ $identity =~ (^|/)\.\.?(/|$) ]]; then
    echo "dev-certs: identity must be ROLE/ID ([A-Za-z0-9._-]): '$identity'" >&2
    exit 2
  fi
done

mkdir -p "$out"
umask 077
scratch=$(mktemp -d "$out/.dev-certs.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# Echoes a command (quoted for a shell), runs it, shows its output only if
# it fails.
run() {
  local arg line="+"
  for arg in "$@"; do
    if [[ $arg =~ ^[A-Za-z0-9_./:=,@+-]+$ ]]; then
      line+=" $arg"
    else
      line+=" '${arg//\'/\'\\\'\'}'"
    fi
  done
  printf '%s\n' "$line" >&2
  local log
  if ! log=$("$@" 2>&1); then
    printf '%s\n' "$log" >&2
    echo "dev-certs: command failed" >&2
    exit 1
  fi
}

# One openssl call makes the key and the certificate; -config /dev/null so
# that nothing but the extensions written here ends up in it.
new_cert() {  # name subject openssl-options...
  local name=$1 subject=$2
  shift 2
  run openssl req -x509 -new -config /dev/null -noenc \
    -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -keyout "$scratch/$name.key" -out "$scratch/$name.pem" \
    -subj "$subject" -days "$kDays" "$@"
  chmod 0644 "$scratch/$name.pem"
  mv "$scratch/$name.key" "$out/$name.key"
  mv "$scratch/$name.pem" "$out/$name.pem"
}

issued_cert() {  # name subject openssl-options...
  local name=$1 subject=$2
  shift 2
  new_cert "$name" "$subject" -CA "$out/ca.pem" -CAkey "$out/ca.key" \
    -addext "basicConstraints=critical,CA:FALSE" \
    -addext "keyUsage=critical,digitalSignature" "$@"
}

if [ ! -f "$out/ca.pem" ]; then
  new_cert ca "/O=tpp dev/CN=tpp dev CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign"
elif [ ! -f "$out/ca.key" ]; then
  echo "dev-certs: $out/ca.pem exists without ca.key: cannot sign" >&2
  exit 1
fi
[ "$ca_only" = 1 ] && exit 0

if [ ! -f "$out/server.pem" ]; then
  issued_cert server "/O=tpp dev/CN=localhost" \
    -addext "extendedKeyUsage=serverAuth" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
fi

for identity in "$@"; do
  role=${identity%%/*}
  id=${identity#*/}
  name="$role-$id"
  [ -f "$out/$name.pem" ] && continue
  san="URI:spiffe://$domain/$role/$id"
  [ -n "${TPP_EXTRA_URI_SAN:-}" ] && san="$san,URI:$TPP_EXTRA_URI_SAN"
  [ "${TPP_NO_URI_SAN:-}" = "1" ] && san="DNS:$id.$role.invalid"
  issued_cert "$name" "/O=tpp dev/OU=$role/CN=$id" \
    -addext "extendedKeyUsage=clientAuth" \
    -addext "subjectAltName=$san"
done
