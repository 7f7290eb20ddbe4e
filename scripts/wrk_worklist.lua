-- wrk script for the staff worklist (issue #21): each request is one officer's worklist, officers in turn, as
-- tests/load/wrk.sh runs it (20 connections, gunicorn with 2 workers, 127.0.0.1):
--   WRK_SESSIONS=var/throughput/sessions.txt wrk -t2 -c20 -d30s -s scripts/wrk_worklist.lua http://127.0.0.1:8765
-- WRK_SESSIONS: one "session-key role" per line (loadtest_setup's staff). The queues turn over "Của tôi" for the
-- officer's role, the agency's list, due soon and overdue. Only a 200 counts: a redirect to the login page (a
-- session gone) or any other status is an error (wrk_common.lua prints the line).
dofile("scripts/wrk_common.lua")
local sessions, roles = {}, {}
local path = os.getenv("WRK_SESSIONS") or "var/throughput/sessions.txt"
for line in io.lines(path) do
  local key, role = line:match("^(%S+)%s+(%S+)")
  if key then
    sessions[#sessions + 1] = key
    roles[#roles + 1] = role
  end
end
if #sessions == 0 then error("no session in " .. path) end

local queues = {"queue=mine&role=%s", "queue=agency", "queue=due_soon", "queue=overdue"}
local i, round = 0, 0

request = function()
  i = i + 1
  local n = (i % #sessions) + 1
  if n == 1 then round = round + 1 end  -- each officer's next request asks for the next queue
  local page = "/ho-so/can-xu-ly/?" .. string.format(queues[(round % #queues) + 1], roles[n])
  return wrk.format("GET", page, {Cookie = "sessionid=" .. sessions[n]})
end
