#!/usr/bin/env bash
# Test Elasticsearch for Ascolto: the integ-test-zip distribution from Maven Central, cached by version.
#   scripts/elasticsearch.sh fetch   download and verify the zip once (idempotent; quick when cached)
#   scripts/elasticsearch.sh path    print the cached zip's path (fetching it first if needed)
# The pytest fixture (tests/storage/es_server.py) unpacks, starts and stops the node itself.
# ES_VERSION matches the pinned Python client (requirements.txt: elasticsearch==8.19.3).
set -euo pipefail

ES_VERSION="${ES_VERSION:-8.19.3}"
CACHE_DIR="${ASCOLTO_ES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ascolto/elasticsearch}"
BASE="https://repo1.maven.org/maven2/org/elasticsearch/distribution/integ-test-zip/elasticsearch"
ZIP="$CACHE_DIR/elasticsearch-$ES_VERSION.zip"

fetch() {
  if [[ -s "$ZIP" ]]; then
    return 0
  fi
  mkdir -p "$CACHE_DIR"
  local url="$BASE/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
  TMP_ZIP="$ZIP.part.$$"
  trap 'rm -f "${TMP_ZIP:-}"' EXIT
  echo "fetching Elasticsearch $ES_VERSION (integ-test-zip) from Maven Central" >&2
  curl -fsSL --retry 3 --retry-delay 2 -o "$TMP_ZIP" "$url"
  # Maven Central publishes no checksum beside this artifact, so check the archive's own CRCs instead
  if ! unzip -tqq "$TMP_ZIP" >/dev/null; then
    echo "corrupt download: $url" >&2
    exit 1
  fi
  mv "$TMP_ZIP" "$ZIP"
  trap - EXIT
}

case "${1:-fetch}" in
  fetch) fetch; echo "$ZIP" ;;
  path) fetch; echo "$ZIP" ;;
  version) echo "$ES_VERSION" ;;
  *) echo "usage: $0 fetch|path|version" >&2; exit 2 ;;
esac
