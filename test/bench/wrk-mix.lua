-- wrk script for the web chat benchmark: spreads requests over many conversations and a message mix.
-- Usage: wrk ... -s wrk-mix.lua URL -- DATAFILE, where DATAFILE (written by webchat.bench.ts) returns
-- { convs = { { id = "...", auth = "Bearer ..." or nil }, ... }, bodies = { "{...json...}", ... } }.
local data
local i = 0
local step = 0

function init(args)
  data = dofile(args[1])
  -- Threads start at different offsets so that they do not walk the same conversations in lock-step.
  step = math.random(0, #data.convs - 1)
end

function request()
  i = i + 1
  local n = i + step
  local ci = n % #data.convs
  local c = data.convs[ci + 1]
  -- Each conversation walks the mix in order, from its own starting place.
  local b = data.bodies[((math.floor(n / #data.convs) + ci * 13) % #data.bodies) + 1]
  local headers = { ["Content-Type"] = "application/json" }
  if c.auth then headers["Authorization"] = c.auth end
  return wrk.format("POST", "/api/webchat/conversations/" .. c.id .. "/messages", headers, b)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("\nRESULT %f %f %f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
