#!/usr/bin/env bash
# The README's run command: installs what is needed, builds, then runs a
# local tppd on the embedded default (RocksDB under ./var/tpp, dev
# certificates in ./var/tls, a development master key in ./var/master.key)
# and a short demo of the pharmacy, insurer and operator flows against it.
#
#   tools/run.sh           demo, then stop the node
#   tools/run.sh --serve   demo, then keep the node running (Ctrl-C stops it)
set -euo pipefail
cd "$(dirname "$0")/.."
serve=0
[ "${1:-}" = "--serve" ] && serve=1

bash tools/build.sh
mkdir -p var
bash tools/dev-certs.sh var/tls provider/750100001 insurer/100000001 insurer/100000002 \
  operator/alice operator/bob 2>/dev/null
bash tools/dev-master-key.sh var/master.key

rm -f var/ready.json
build/services/server/tppd --data_dir=var/tpp --tls_dir=var/tls \
  --master_key_file=var/master.key --ready_file=var/ready.json \
  2>>var/tppd.log &
tppd=$!
trap 'kill -TERM $tppd 2>/dev/null; wait $tppd 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  [ -f var/ready.json ] && break
  kill -0 $tppd 2>/dev/null || { echo "tppd failed to start; see var/tppd.log" >&2; exit 1; }
  sleep 0.1
done
[ -f var/ready.json ] || { echo "tppd did not become ready" >&2; exit 1; }

build/tools/demo/tpp-demo --tls_dir var/tls
build/tools/tppctl/tppctl --tls_dir var/tls --identity operator/alice status || true
echo "tppd's log (JSON lines): var/tppd.log"

if [ $serve -eq 1 ]; then
  echo "tppd serves on 127.0.0.1:7443 (external) and 127.0.0.1:7444 (admin); Ctrl-C stops it."
  wait $tppd
fi
