#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: checks the toolchain, installs what the suite needs, runs `swift test`.
# Usage: scripts/test.sh [extra swift test arguments, e.g. --filter GatehouseHTTPTests]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v swift >/dev/null 2>&1; then
    echo "scripts/test.sh: Swift 6.1 or newer is required (swift not found on PATH)" >&2
    exit 1
fi

# The embedded SQLite backend is compiled in (sqlite-nio bundles SQLite); the default suite needs no system packages
# and no database server. Backends added later (MariaDB, PostgreSQL, MongoDB) install and start theirs here.

echo "== swift $(swift --version 2>/dev/null | head -n 1)"
exec swift test "$@"
