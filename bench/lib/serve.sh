# Start and stop `minqing serve` for the benchmark scripts. Sourced, not run:
#
#   build=build out=bench/out/x; source bench/lib/serve.sh
#   serve_start STORE [SERVE OPTIONS…]   start on 127.0.0.1, a free port; wait until /healthz answers
#                                        → $server_pid, $port, $base; the server's stdout goes to
#                                        $out/serve.out, its access log (stderr) to $out/serve-access.log
#   serve_stop                           TERM, then KILL after 5 s; safe when nothing runs
#   serve_cpu_ticks                      the server's utime + stime so far, in clock ticks (CLK_TCK)
#   serve_login USER PASSWORD FILE       sign in; the session token goes to FILE (mode 600), read
#                                        from a file by wrk/the client so it never shows in `ps`
#
# SERVE_START_TIMEOUT (seconds, default 480): the county store loads in seconds on a quiet machine
# and in minutes on a loaded one. The caller's EXIT trap should call serve_stop.

server_pid=""
port=""
base=""

serve_start() {
  local store=$1
  shift
  # Emptied here, not by the redirection below: that happens in the child, after this shell may
  # already have read a port from the previous server's output.
  : >"$out/serve.out"
  "$build/minqing" serve --listen 127.0.0.1:0 --store "$store" "$@" >"$out/serve.out" 2>"$out/serve-access.log" &
  server_pid=$!
  port=""
  local tenths=$((${SERVE_START_TIMEOUT:-480} * 10)) i
  for ((i = 0; i < tenths; i++)); do
    # Port 0: the kernel picks a free port; the server prints the address it listens on.
    port=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$out/serve.out" 2>/dev/null | head -1 | sed 's/.*://') || true
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || { echo "minqing serve died:"; cat "$out/serve-access.log"; return 1; }
    sleep 0.1
  done
  [ -n "$port" ] || { echo "minqing serve did not start in ${SERVE_START_TIMEOUT:-480} s"; return 1; }
  base="http://127.0.0.1:$port"
  # Retried: on a loaded machine the first answer can take longer than one curl's 5 s.
  local health="" attempt
  for attempt in 1 2 3 4 5 6; do
    health=$(curl -s -m 5 "$base/healthz") || health=""
    [ "$health" = '{"status":"ok"}' ] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 1
  done
  echo "/healthz answered '$health'"
  return 1
}

serve_stop() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    local i
    for i in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}

serve_cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }

serve_login() {
  local user=$1 password=$2 file=$3
  (umask 077 && curl -sf -m 30 -H 'Content-Type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"$password\"}" "$base/api/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' >"$file")
}
