#!/usr/bin/env bash
# formcheck set-up: the README's one set-up command (`bash setup.sh`).
#  1. system tools the tests use (ffmpeg, chromium) when we may install them (root + apt),
#  2. formcheck with its dev/test extras (editable),
#  3. the pose model (`formcheck models fetch`: official download, else built
#     from the mediapipe wheel on PyPI; skipped when a model is already there).
set -euo pipefail
cd "$(dirname "$0")"

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  missing=()
  command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  command -v ffmpeg >/dev/null 2>&1 || echo "setup: note: ffmpeg not found; install it (e.g. sudo apt-get install ffmpeg) for the browser tests"
  [ -x /usr/bin/chromium ] || echo "setup: note: /usr/bin/chromium not found; install it (e.g. sudo apt-get install chromium) for the browser tests"
fi

python -m pip install -q -e ".[dev]"
formcheck models fetch
echo "setup: done. Start the app with: streamlit run streamlit_app.py"
