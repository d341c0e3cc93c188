#!/usr/bin/env bash
# Sets up sure-bench on a fresh Debian/Ubuntu machine: system packages, then .venv with pinned versions.
# Idempotent: a second run only checks. Needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v espeak-ng >/dev/null 2>&1 || need_apt+=(espeak-ng)
command -v flite >/dev/null 2>&1 || need_apt+=(flite)  # tts-mini pretraining voices
[ -d /usr/share/asterisk/sounds/en ] || need_apt+=(asterisk-core-sounds-en-wav)
python3 -c "import venv" 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing ${need_apt[*]} with apt-get"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# torch first, pinned to the CPU build: an unpinned torch would pull a multi-GB CUDA build.
.venv/bin/pip install -q --disable-pip-version-check torch==2.13.0
.venv/bin/pip install -q --disable-pip-version-check -c constraints.txt -e ".[test,tts]"
# resemblyzer for its GE2E weights only: its declared deps (webrtcvad 2.0.10 needs pkg_resources,
# librosa pulls numba) are not needed; sure_bench/metrics/speaker_embedding.py runs its inference.
.venv/bin/pip install -q --disable-pip-version-check --no-deps -c constraints.txt resemblyzer==0.1.4
echo "setup: ready (.venv/bin/sure-bench)"
