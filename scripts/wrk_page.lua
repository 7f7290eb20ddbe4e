-- wrk script for one page (WRK_PATH, default "/"): tests/load/wrk.sh times the home page with it, for reference.
-- Prints the line of wrk_common.lua (anything but a 200 is an error).
dofile("scripts/wrk_common.lua")
local path = os.getenv("WRK_PATH") or "/"

request = function()
  return wrk.format("GET", path)
end
