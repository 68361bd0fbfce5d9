#!/usr/bin/env bash
# Installs what the benchmarks compare Contour against, from Debian (needs root, as on these
# machines): PyTorch and numpy for the reference scripts (run with /usr/bin/python3, not a pyenv
# python), GNU time for peak RSS, hyperfine for anyone who wants to re-time a single command.
set -euo pipefail
wanted=(python3-torch python3-numpy time hyperfine)
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    echo "install-references: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
/usr/bin/python3 -c 'import numpy, torch; print(f"references: torch {torch.__version__}, numpy {numpy.__version__}")'
