-- wrk script of bench/floor_compare.py: each request carries the next of many
-- users' bearer tokens (one per line of the file named by the first argument),
-- so no user's per-user throttle is what gets measured. With "post" as the
-- second argument each request logs her energy for a recent day at a level
-- drawn at random (POST /api/v1/moods/). done() prints one machine-readable line.

local tokens = {}
local next_token = 0
local mode = "get"

function setup(thread)
  thread:set("thread_number", tostring(math.random(1, 1000000)))
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  mode = args[2] or "get"
  math.randomseed(os.time() + tonumber(thread_number or "0"))
  next_token = math.random(1, #tokens)
end

function request()
  next_token = next_token % #tokens + 1
  local headers = { ["Authorization"] = "Bearer " .. tokens[next_token] }
  if mode == "post" then
    headers["Content-Type"] = "application/json"
    local day = os.date("!%Y-%m-%d", os.time() - 86400 * math.random(1, 30))
    local body = string.format('{"date": "%s", "energy_level": %d}', day, math.random(0, 2))
    return wrk.format("POST", wrk.path, headers, body)
  end
  return wrk.format("GET", wrk.path, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d errors_socket=%d errors_status=%d errors_timeout=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write, e.status, e.timeout))
end
