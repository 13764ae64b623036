#!/usr/bin/env bash
# Fetches the real Rayforce server binary and prints its path.
#
# The binary ships inside the PyPI wheel rayforce-py==2.4.0 (rayforce/bin/rayforce).
# This downloads that pinned wheel with `pip download --no-deps` for manylinux2014_x86_64 /
# CPython 3.11 (whatever Python runs pip), checks its sha256, extracts only the binary into
# the cache folder (default: .cache/rayforce/ in this repo, ignored by git; override with
# RAYFORCE_CACHE_DIR) and prints the binary's path on stdout. Repeated runs reuse the cache.
#
#   RAYFORCE_BIN=$(bash scripts/fetch-rayforce.sh) cargo test
set -euo pipefail

VERSION=2.4.0
SHA256=bdb8cd4d0e1efe1e3cc4d21935366c85569b153632a791cbd9bd8ecd3f528b98
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${RAYFORCE_CACHE_DIR:-$here/.cache/rayforce}
bin=$cache/$VERSION/rayforce

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

python=${PYTHON:-$(command -v python3 || command -v python || true)}
if [ -z "$python" ]; then
  echo "fetch-rayforce: python3 with pip is needed to download the rayforce-py wheel" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetch-rayforce: downloading rayforce-py==$VERSION ..." >&2
"$python" -m pip download --quiet --disable-pip-version-check --no-deps \
  --only-binary=:all: --platform manylinux2014_x86_64 --python-version 3.11 \
  --implementation cp -d "$work" "rayforce-py==$VERSION" >&2
wheel=$(ls "$work"/rayforce_py-"$VERSION"-*.whl)
actual=$("$python" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$wheel")
if [ "$actual" != "$SHA256" ]; then
  echo "fetch-rayforce: sha256 mismatch for $(basename "$wheel"): got $actual, want $SHA256" >&2
  exit 1
fi
mkdir -p "$cache/$VERSION"
"$python" - "$wheel" "$bin.tmp" <<'PY'
import sys, zipfile, shutil
with zipfile.ZipFile(sys.argv[1]) as z, z.open("rayforce/bin/rayforce") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
chmod +x "$bin.tmp"
mv "$bin.tmp" "$bin"
echo "$bin"
