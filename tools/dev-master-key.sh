#!/usr/bin/env bash
# Creates a development master key file (mode 0600) if absent:
#   tools/dev-master-key.sh var/master.key
# One line, "v<version>:<64 hex digits>". Production keeps the master key in
# a Kubernetes Secret or splits it into operators' key shares (tppctl
# init-keys); never in a file next to the data.
set -euo pipefail
file=${1:?usage: $0 FILE}
[ -f "$file" ] && exit 0
mkdir -p "$(dirname "$file")"
umask 077
printf 'v1:%s\n' "$(openssl rand -hex 32)" >"$file.tmp"
chmod 0600 "$file.tmp"
mv "$file.tmp" "$file"
echo "created development master key $file (0600)" >&2
