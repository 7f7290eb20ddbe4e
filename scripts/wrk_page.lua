-- wrk script for one page (WRK_PATH, default "/"), printing the same line as wrk_search.lua: req/s, p50/p95/p99
-- and the errors (anything but a 200 is one). tests/load/wrk.sh times the home page with it, for reference.
local path = os.getenv("WRK_PATH") or "/"
local wrong = 0
local threads = {}

setup = function(thread)
  threads[#threads + 1] = thread
end

request = function()
  return wrk.format("GET", path)
end

response = function(status, headers, body)
  if status ~= 200 then wrong = wrong + 1 end
end

done = function(summary, latency, requests)
  local not200 = 0
  for _, thread in ipairs(threads) do not200 = not200 + (thread:get("wrong") or 0) end
  io.write(string.format("requests %d, %.1f req/s, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, errors %d (not 200: %d)\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
      + not200, not200))
end
