-- wrk script of bench/run-edit-bench.sh: durable single-feature edits, PATCH of one household's
-- members at a time (a merge patch, as the web map's form sends it), random features, If-Match: *
-- (the bench measures the write path, not conflicts). TOKEN and FIDS (a file of fids) come from
-- the environment.
local token = os.getenv("TOKEN")
local fids = {}
for line in io.lines(os.getenv("FIDS")) do fids[#fids + 1] = line end
local n = 0

request = function()
  n = n + 1
  local fid = fids[math.random(#fids)]
  local body = '{"properties":{"members":' .. (n % 9 + 1) .. '}}'
  return wrk.format("PATCH", "/collections/households/items/" .. fid,
                    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/merge-patch+json",
                     ["If-Match"] = "*"}, body)
end
