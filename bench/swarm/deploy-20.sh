#!/usr/bin/env bash
# The 20-service case of bench/swarm/deploy.sh (kept so the old name still works).
exec "$(dirname "$0")/deploy.sh" 20
