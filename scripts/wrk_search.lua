-- wrk script for the catalogue search page (procedures list), used with bench_search's generated catalogue:
--   wrk -t2 -c20 -d30s -s scripts/wrk_search.lua http://127.0.0.1:8000
-- Rotates over typical queries (a word, two words, a typo, a code, a field filter with no query) and prints
-- the line of wrk_common.lua (req/s, p50/p95/p99, errors: anything but a 200 is one).
dofile("scripts/wrk_common.lua")
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
