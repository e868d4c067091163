#!/usr/bin/env bash
# Makes sure the C libraries lab links are installed, before anything is compiled: OpenBLAS
# (BLAS and LAPACK), libpng, zlib and FreeType, with their headers, and the Korean font the
# figures' titles are drawn with (NanumGothic). On Debian or Ubuntu it installs the
# missing packages when it can (as root, or through sudo without a password); otherwise it prints
# the exact command to run and exits with status 1. On macOS, Accelerate provides BLAS and
# Homebrew's libpng is needed.
set -euo pipefail

if [ "$(uname -s)" = "Darwin" ]; then
    for prefix in /opt/homebrew /usr/local; do
        [ -f "$prefix/include/png.h" ] && [ -f "$prefix/include/freetype2/ft2build.h" ] && exit 0
    done
    echo "lab needs libpng and FreeType: run   brew install libpng freetype   and try again." >&2
    exit 1
fi

packages=(libopenblas-dev libpng-dev zlib1g-dev libfreetype-dev fonts-nanum)
if ! command -v dpkg >/dev/null 2>&1; then
    # Not Debian: check the headers the build includes, and say what to install.
    missing=()
    for header in cblas.h png.h zlib.h freetype2/ft2build.h; do
        compgen -G "/usr/include/$header" >/dev/null || compgen -G "/usr/include/*/$header" >/dev/null || missing+=("$header")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "lab needs the development files of OpenBLAS, libpng, zlib and FreeType; not found: ${missing[*]}." >&2
        echo "Install them with your system's package manager (e.g. dnf install openblas-devel libpng-devel zlib-devel freetype-devel google-nanum-fonts) and try again." >&2
        exit 1
    fi
    exit 0
fi

missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "lab needs ${missing[*]} (OpenBLAS, libpng, zlib and FreeType with their headers; the Korean font NanumGothic)."
if [ "$(id -u)" -eq 0 ]; then
    run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    run=(sudo)
else
    echo "Install them, then try again:" >&2
    echo "    sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "installing them with apt-get …"
"${run[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${run[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
echo "installed ${missing[*]}"
