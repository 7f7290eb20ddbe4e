-- Shared by the wrk scripts (loaded with dofile from the repository's root, as tests/load/wrk.sh runs them):
-- anything but a 200 is counted as an error, and `done` prints one line: requests, req/s, p50/p95/p99 latency
-- and the errors (connection errors, timeouts, statuses that are not 200).
local threads = {}
wrong = 0  -- global: each thread's own count, read back in `done`

setup = function(thread)
  threads[#threads + 1] = thread
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
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + not200, not200))
end
