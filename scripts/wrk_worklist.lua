-- wrk script for the staff worklist (issue #21): each request is one officer's worklist, officers in turn, as
-- tests/load/wrk.sh runs it (20 connections, gunicorn with 2 workers, 127.0.0.1):
--   WRK_SESSIONS=var/loadtest/sessions.txt wrk -t2 -c20 -d30s -s scripts/wrk_worklist.lua http://127.0.0.1:8765
-- WRK_SESSIONS: one "session-key role" per line (loadtest_setup's staff). The queues turn over "Của tôi" for the
-- officer's role, the agency's list, due soon and overdue. Only a 200 counts: a redirect to the login page (a
-- session gone) or any other status is an error, printed with the p50/p95 latency and the throughput.
local sessions, roles = {}, {}
local path = os.getenv("WRK_SESSIONS") or "var/loadtest/sessions.txt"
for line in io.lines(path) do
  local key, role = line:match("^(%S+)%s+(%S+)")
  if key then
    sessions[#sessions + 1] = key
    roles[#roles + 1] = role
  end
end
if #sessions == 0 then error("no session in " .. path) end

local queues = {"queue=mine&role=%s", "queue=agency", "queue=due_soon", "queue=overdue"}
local i, wrong = 0, 0
-- Every thread has its own Lua state: `done` reads the counts back from each thread.
local threads = {}

setup = function(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

request = function()
  i = i + 1
  local n = (i % #sessions) + 1
  local path = "/ho-so/can-xu-ly/?" .. string.format(queues[(i % #queues) + 1], roles[n])
  return wrk.format("GET", path, {Cookie = "sessionid=" .. sessions[n]})
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
