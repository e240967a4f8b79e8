#!/usr/bin/env bash
# Installs the Debian packages Kehu needs to build, test and run. Idempotent and quiet when
# everything is already present. See docs/dependencies.md for why each package is here.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  # build
  cmake g++ ninja-build ccache pkg-config make
  # libraries (Boost 1.81 only: never the unversioned libboost-*-dev, they are 1.74)
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-math1.81-dev
  libsqlite3-dev libpq-dev libsodium-dev libopencc-dev libicu-dev
  libxgboost-dev libnlopt-cxx-dev libxlsxwriter-dev libzip-dev libexpat1-dev libspdlog-dev libfmt-dev libcli11-dev
  libtomlplusplus-dev
  # the kehu executable's allocator
  libmimalloc-dev
  # SMTP delivery of escalation emails (libcurl speaks SMTP)
  libcurl4-openssl-dev
  # libphonenumber runtime and what its headers include (headers are unpacked below)
  libphonenumber8 libgeocoding8 libprotobuf-dev libabsl-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev postgresql python3 python3-yaml curl wrk nginx-light
  # browser tests: Debian's Chromium, driven by playwright-core (never a downloaded browser)
  chromium fonts-noto-cjk
)
# The web workspace is built with Node.js and npm; use Debian's when the machine has none.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)
# `make fuzz` needs clang and its libFuzzer runtime.
[ "${1:-}" = "--fuzz" ] && PACKAGES+=(clang libclang-rt-14-dev)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# libphonenumber-dev depends on Boost 1.74, which conflicts with 1.81: take only its headers.
PN_DIR=third_party/phonenumber
if [ ! -f "$PN_DIR/usr/include/phonenumbers/phonenumberutil.h" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download libphonenumber-dev >/dev/null 2>&1) || {
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"; $SUDO apt-get update -q >/dev/null
    (cd "$tmp" && apt-get download libphonenumber-dev >/dev/null)
  }
  mkdir -p "$PN_DIR"
  dpkg-deb -x "$tmp"/libphonenumber-dev_*.deb "$PN_DIR"
  rm -rf "$tmp"
fi
