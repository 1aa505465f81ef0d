#!/bin/sh
# The container runtime wrapper of seccomp-profiler (docs/containers.md): what `profile setup
# docker` registers with dockerd and what `profile record|enforce|check -- podman run …` passes as
# podman's --runtime. It runs dist/bin/runtime.cjs with Node; dockerd's PATH may not name the
# Node that installed us, so $SECCOMP_PROFILER_NODE wins, then node on PATH or in the usual places.
# No live session: nothing to trace, be the real runtime at once (no Node start per call).
sessions="${SECCOMP_PROFILER_RUNDIR:-/run/seccomp-profiler}/sessions"
if [ -z "$(ls -A "$sessions" 2>/dev/null)" ]; then
  exec "${SECCOMP_PROFILER_RUNTIME:-runc}" "$@"
fi
here=$(dirname "$(readlink -f "$0")")
node=${SECCOMP_PROFILER_NODE:-}
if [ -z "$node" ]; then
  node=$(PATH="$PATH:/usr/local/bin:/usr/bin:/bin" command -v node) || {
    echo "profile-runtime: node not found; set SECCOMP_PROFILER_NODE in the engine's environment" >&2
    exit 127
  }
fi
exec "$node" --no-warnings "$here/runtime.cjs" "$@"
