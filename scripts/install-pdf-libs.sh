#!/bin/sh
# The system libraries WeasyPrint (the PDF report, ascolto/report) loads: Pango with its FreeType backend,
# HarfBuzz's subsetter (fonts are embedded as subsets) and fontconfig; GLib and HarfBuzz come with Pango.
# Debian's own packages; idempotent and non-interactive. The fonts themselves ship in the repo.
set -eu

missing=""
for lib in libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0 libfontconfig.so.1; do
    ldconfig -p 2>/dev/null | grep -q "$lib" || missing="$missing $lib"
done
if [ -z "$missing" ]; then
    echo "pdf libraries: already installed"
    exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-pdf-libs: need root (or sudo) to install:$missing" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfontconfig1
