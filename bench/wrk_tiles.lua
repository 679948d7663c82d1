-- wrk script for bench/run-tile-bench.sh: cycles through a fixed list of tile paths (one per line,
-- e.g. "/tiles/terrain/16/54466/27327.png"), each wrk thread starting at its own offset.
--   wrk -t2 -c64 -d10s --latency -s bench/wrk_tiles.lua http://127.0.0.1:PORT -- PATHS.txt
-- No response() callback: parsing answers in Lua would cost the client CPU that the server needs
-- on a small machine. wrk itself reports "Non-2xx or 3xx responses" when there are any.

local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local file = args[1] or "bench/out/wrk-paths.txt"
  paths = {}
  for line in io.lines(file) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  if #paths == 0 then error("no paths in " .. file) end
  i = (id * 97) % #paths
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
