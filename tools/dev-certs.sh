#!/usr/bin/env bash
# Development certificates for tpp.
#
#   tools/dev-certs.sh OUT_DIR IDENTITY...
#   e.g. tools/dev-certs.sh var/tls provider/750100001 insurer/100000001 operator/alice
#
# Writes OUT_DIR/ca.pem + ca.key (a dev CA, kept if present so that later
# calls add identities under the same CA), server.pem/server.key (SANs
# localhost, 127.0.0.1, ::1) and, per identity <role>/<id>,
# <role>-<id>.pem/.key: a client certificate whose only URI SAN is
# spiffe://$TPP_TRUST_DOMAIN/<role>/<id> (default trust domain tpp.local).
# Existing files are left alone. EC P-256 keys, mode 0600.
#
# For tests: TPP_EXTRA_URI_SAN=uri adds a second URI SAN; TPP_NO_URI_SAN=1
# leaves the URI SAN out. The OpenSSL commands are echoed on stderr.
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 OUT_DIR [ROLE/ID...]" >&2
  exit 2
fi
out=$1
shift
domain=${TPP_TRUST_DOMAIN:-tpp.local}
days=825
mkdir -p "$out"
umask 077

run() {
  echo "+ $*" >&2
  "$@" 2>/dev/null
}

newkey() {  # file
  run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"
}

if [ ! -f "$out/ca.pem" ]; then
  newkey "$out/ca.key"
  run openssl req -x509 -new -key "$out/ca.key" -sha256 -days "$days" \
    -subj "/O=tpp dev/CN=tpp dev CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$out/ca.pem"
fi

sign() {  # name subject extensions
  local name=$1 subject=$2 ext=$3
  newkey "$out/$name.key"
  run openssl req -new -key "$out/$name.key" -subj "$subject" -out "$out/$name.csr"
  printf '%s\n' "$ext" >"$out/$name.ext"
  run openssl x509 -req -in "$out/$name.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" \
    -CAcreateserial -days "$days" -sha256 -extfile "$out/$name.ext" -out "$out/$name.pem"
  rm -f "$out/$name.csr" "$out/$name.ext"
}

if [ ! -f "$out/server.pem" ]; then
  sign server "/O=tpp dev/CN=localhost" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
fi

for identity in "$@"; do
  case "$identity" in
    */*) ;;
    *) echo "identity must be ROLE/ID: $identity" >&2; exit 2 ;;
  esac
  role=${identity%%/*}
  id=${identity#*/}
  name="$role-$id"
  [ -f "$out/$name.pem" ] && continue
  sans="URI:spiffe://$domain/$role/$id"
  [ -n "${TPP_EXTRA_URI_SAN:-}" ] && sans="$sans,URI:$TPP_EXTRA_URI_SAN"
  san_line="subjectAltName=$sans"
  [ "${TPP_NO_URI_SAN:-}" = "1" ] && san_line="subjectAltName=DNS:$id.$role.invalid"
  sign "$name" "/O=tpp dev/OU=$role/CN=$id" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
$san_line"
done
rm -f "$out/ca.srl"
