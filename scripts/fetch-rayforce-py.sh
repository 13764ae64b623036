#!/usr/bin/env bash
# Makes a virtualenv with the official Python client, rayforce-py==2.4.0, in the cache
# folder (default .cache/pyenv, ignored by git) and prints its python's path. Used by the
# interop tests and the rayforce-py side of the benchmark; repeated runs reuse it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
env_dir=${RAYFORCE_PYENV:-$here/.cache/pyenv}
py=$env_dir/bin/python
if [ -x "$py" ] && "$py" -c "import rayforce, websockets" 2>/dev/null; then
  echo "$py"
  exit 0
fi
python=${PYTHON:-$(command -v python3 || command -v python)}
"$python" -m venv "$env_dir" >&2
"$py" -m pip install --quiet --disable-pip-version-check "rayforce-py[websocket]==2.4.0" numpy >&2
echo "$py"
