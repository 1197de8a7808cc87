-- wrk script for the web chat benchmark: spreads requests over many conversations and a message mix.
-- Usage: wrk ... -s wrk-mix.lua URL -- DATAFILE NONCE STARTMS, where DATAFILE (written by webchat.bench.ts) returns
-- { convs = { { id = "...", auth = "Bearer ..." or nil }, ... }, bodies = { "{...json...}", ... }, clientIds = true|false }.
-- With clientIds each message carries a clientMessageId as the web chat page mints one (a UUID version 7:
-- a millisecond clock, here started at STARTMS and advanced per request, then NONCE, 12 hex
-- digits new for every run), so the server takes the page's path (a look-up of the id before the turn);
-- with clientIds = "legacy", 32 hex digits that are not time-ordered (as the page sent before 2026-12-03).
local data
local i = 0
local step = 0
local nonce = ""
local clock = 0

-- A UUID version 7 for the i-th request of this run.
local function clientId(i)
  local t = clock + i
  local hi = math.floor(t / 65536)
  return string.format("%08x-%04x-7%03x-%04x-%s", hi, t % 65536, i % 4096, 0x8000 + math.floor(i / 4096) % 16384, nonce)
end

function init(args)
  data = dofile(args[1])
  nonce = args[2] or "000000000000"
  clock = (tonumber(args[3]) or os.time() * 1000)
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
  if data.clientIds == "legacy" then
    b = string.sub(b, 1, -2) .. ',"clientMessageId":"' .. nonce .. string.format("%020x", i) .. '"}'
  elseif data.clientIds then
    b = string.sub(b, 1, -2) .. ',"clientMessageId":"' .. clientId(i) .. '"}'
  end
  local headers = { ["Content-Type"] = "application/json" }
  if c.auth then headers["Authorization"] = c.auth end
  return wrk.format("POST", "/api/webchat/conversations/" .. c.id .. "/messages", headers, b)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("\nRESULT %f %f %f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
