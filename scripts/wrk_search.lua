-- wrk script for the catalogue search page (procedures list), used with bench_search's generated catalogue:
--   wrk -t2 -c20 -d30s -s scripts/wrk_search.lua http://127.0.0.1:8000
-- Rotates over typical queries (a word, two words, a typo, a code, a field filter with no query) and prints
-- the p95 latency and the errors (connection errors, timeouts, non-2xx/3xx statuses).
local paths = {
  "/thu-tuc/?q=chung+thuc",
  "/thu-tuc/?q=ho+kinh+doanh",
  "/thu-tuc/?q=khai+snh",
  "/thu-tuc/?q=9.100123",
  "/thu-tuc/?field=BENCH&level=commune",
  "/thu-tuc/?q=giay+phep+xay+dung",
  "/thu-tuc/?q=cap+lai+giay+phep+lai+xe",
  "/thu-tuc/?q=khai+sinh&page=2",
}
local i = 0

request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end

done = function(summary, latency, requests)
  io.write(string.format("requests %d, %.1f req/s, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, errors %d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
