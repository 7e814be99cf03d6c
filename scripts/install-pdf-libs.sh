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

"$(dirname "$0")/apt-install.sh" install-pdf-libs libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfontconfig1
