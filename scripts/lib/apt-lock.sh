# Sourced by scripts/setup-*.sh: waits (bounded) for another package manager run to release the dpkg/apt locks
# before apt-get, printing what it waits for every 10 s, and runs apt-get with DPkg::Lock::Timeout as well.
# BERTH_APT_LOCK_TIMEOUT: seconds to wait (default 300). BERTH_APT_LOCK_FILES: the lock files (tests point it
# at their own files). Detects both kinds of lock: apt and dpkg take POSIX (fcntl) locks, flock(1) takes BSD
# locks; /proc/locks lists both, by inode.

BERTH_APT_LOCK_TIMEOUT="${BERTH_APT_LOCK_TIMEOUT:-300}"

# Prints "<file> (held by pid <pid> <command>)" for the first lock file some process holds; fails when none is held.
berth_apt_lock_holder() {
  local file inode pid
  for file in ${BERTH_APT_LOCK_FILES:-/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock}; do
    [ -e "$file" ] || continue
    inode="$(stat -c %i "$file" 2>/dev/null)" || continue
    # /proc/locks: "1: POSIX ADVISORY WRITE <pid> <maj>:<min>:<inode> 0 EOF"; "1: -> ..." lines are waiters, not holders.
    pid="$(awk -v inode="$inode" '$2 != "->" { n = split($6, id, ":"); if (id[n] == inode) { print $5; exit } }' /proc/locks)"
    if [ -n "$pid" ]; then
      echo "$file (held by pid $pid $(cat "/proc/$pid/comm" 2>/dev/null || echo '?'))"
      return 0
    fi
  done
  return 1
}

# Waits until no lock is held, at most $1 seconds (default BERTH_APT_LOCK_TIMEOUT). $2 prefixes the messages.
berth_wait_for_apt_locks() {
  local timeout="${1:-$BERTH_APT_LOCK_TIMEOUT}" who="${2:-setup}" start=$SECONDS last=-10 held waited
  while held="$(berth_apt_lock_holder)"; do
    waited=$((SECONDS - start))
    if [ "$waited" -ge "$timeout" ]; then
      echo "$who: gave up after ${timeout}s waiting for another package manager run to release $held; try again when it has finished" >&2
      return 1
    fi
    if [ $((waited - last)) -ge 10 ]; then
      echo "$who: waiting for another package manager run to release $held (${waited}s of at most ${timeout}s)" >&2
      last=$waited
    fi
    sleep 1
  done
}

# berth_apt_get <who> <log file> <apt-get arguments>: apt-get after the wait (its messages on stderr, apt-get's output
# appended to the log); DPkg::Lock::Timeout covers a run that takes the lock between the wait and apt-get's own lock.
berth_apt_get() {
  local who="$1" log="$2"; shift 2
  berth_wait_for_apt_locks "$BERTH_APT_LOCK_TIMEOUT" "$who" || return 1
  apt-get -o DPkg::Lock::Timeout="$BERTH_APT_LOCK_TIMEOUT" "$@" >>"$log" 2>&1
}
