#!/usr/bin/env bash
# Installs every Debian package the build, the tests and `mohq run` need. Idempotent and non-interactive;
# run as root (CI and the developer machines are). Skips apt entirely when everything is already there.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang lld libclang-rt-14-dev
  # the design's libraries
  libboost-test-dev nlohmann-json3-dev libsqlite3-dev sqlite3 libpcap-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-good gstreamer1.0-tools
  # `mohq prompt convert`: G.722 (avenc_g722) and GSM (gsmenc) encoders
  gstreamer1.0-libav gstreamer1.0-plugins-bad
  # real peers and real audio for the tests
  kamailio kamailio-sqlite-modules sip-tester tshark tcpdump sox espeak-ng
  asterisk-moh-opsound-wav asterisk-core-sounds-en-wav
  # reports: junit.xml validated with xmllint, report.html screenshotted in headless Chromium (its fonts are a
  # Recommends, so named here)
  libxml2-utils chromium fonts-liberation
  # small tools the scripts use
  iproute2 procps psmisc python3
  # tests/ci_templates parses the CI templates of ci/
  python3-yaml
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#packages[@]} packages present"
  exit 0
fi
echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer it ahead of time.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
