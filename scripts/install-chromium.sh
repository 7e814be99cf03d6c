#!/bin/sh
# Headless Chromium for the dashboard's browser tests: Debian's own package, driven by Playwright
# (browsers are never downloaded by `playwright install`). Idempotent and non-interactive.
set -eu

if [ -x /usr/bin/chromium ]; then
    echo "chromium: already installed ($(/usr/bin/chromium --version 2>/dev/null || echo unknown version))"
    exit 0
fi

"$(dirname "$0")/apt-install.sh" install-chromium chromium
/usr/bin/chromium --version
