#!/bin/sh
# Install Debian packages as root, or through sudo; non-interactive. The install-*.sh scripts call it once they
# know something is missing. Usage: scripts/apt-install.sh CALLER PACKAGE...
set -eu

caller=$1
shift
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "$caller: need root (or sudo) to install the Debian packages: $*" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "$@"
