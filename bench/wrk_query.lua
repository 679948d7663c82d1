-- wrk script for bench/run-query-bench.sh: cycles through a fixed list of request paths (one per
-- line, e.g. "/collections/buildings/items?bbox=…&limit=1000"), each wrk thread starting at its
-- own offset, and ends with one machine-readable line:
--   WRK requests=… duration_s=… requests_per_s=… p50_ms=… p90_ms=… p99_ms=… max_ms=…
--       non2xx=… socket_errors=… mean_bytes=…
--   wrk -t2 -c32 -d10s -s bench/wrk_query.lua http://127.0.0.1:PORT -- PATHS.txt [TOKEN_FILE]
-- TOKEN_FILE, when given, holds a session token sent as "Authorization: Bearer …" (read from a
-- file so that the token does not show in the process list).
-- No response() callback: parsing answers in Lua would take client CPU from the server on a small
-- machine; wrk counts non-2xx/3xx answers itself (summary.errors.status).

local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local file = args[1] or "bench/out/query-paths.txt"
  paths = {}
  for line in io.lines(file) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  if #paths == 0 then error("no paths in " .. file) end
  if args[2] then
    local f = assert(io.open(args[2], "r"))
    local token = f:read("*l")
    f:close()
    if not token or #token == 0 then error("no token in " .. args[2]) end
    wrk.headers["Authorization"] = "Bearer " .. token
  end
  i = (id * 97) % #paths
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  local n = summary.requests
  io.write(string.format(
    "WRK requests=%d duration_s=%.2f requests_per_s=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f " ..
    "non2xx=%d socket_errors=%d mean_bytes=%.0f\n",
    n, secs, n / secs, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, e.status,
    e.connect + e.read + e.write + e.timeout, n > 0 and summary.bytes / n or 0))
end
