-- Replays prepared requests, one per line of a tab-separated file given after `--`:
--   METHOD <tab> PATH <tab> AUTHORIZATION <tab> IF-MATCH <tab> BODY
-- Empty fields are left out. With several wrk threads each takes every n-th line, so no two
-- requests of a run share a line. The third argument says what happens when a thread has
-- sent all its lines: `cycle` starts again (for reads), `once` stops the thread (for writes,
-- each on its own case) and counts the requests it could not send as `overflow`.
-- `done` prints one line `WRKJSON {...}` with the figures the benchmark reads.

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

local requests = {}
local index = 0
local mode = "cycle"
sent = 0
overflow = 0

local function split(line)
   local fields = {}
   for field in (line .. "\t"):gmatch("([^\t]*)\t") do
      table.insert(fields, field)
   end
   return fields
end

function init(args)
   local file = assert(io.open(args[1], "r"))
   local n = 0
   local total = tonumber(args[2]) or 1
   mode = args[3] or "cycle"
   for line in file:lines() do
      if n % total == (id - 1) then
         local f = split(line)
         local headers = {}
         if f[3] ~= "" then headers["Authorization"] = f[3] end
         if f[4] ~= "" then headers["If-Match"] = f[4] end
         local body = nil
         if f[5] ~= nil and f[5] ~= "" then
            body = f[5]
            headers["Content-Type"] = "application/json"
         end
         table.insert(requests, wrk.format(f[1], f[2], headers, body))
      end
      n = n + 1
   end
   file:close()
   assert(#requests > 0, "no requests for thread " .. id)
end

function request()
   index = index + 1
   if index > #requests then
      if mode == "once" then
         overflow = overflow + 1
         wrk.thread:stop()
         return wrk.format("GET", "/healthz")
      end
      index = 1
   end
   sent = sent + 1
   return requests[index]
end

function done(summary, latency, requests_)
   local sent_total = 0
   local overflow_total = 0
   for _, thread in ipairs(threads) do
      sent_total = sent_total + (thread:get("sent") or 0)
      overflow_total = overflow_total + (thread:get("overflow") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"sent":%d,"overflow":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latency_us":{"mean":%.1f,"max":%d,"p50":%d,"p90":%d,"p99":%d}}\n',
      summary.requests, summary.duration, summary.bytes, sent_total, overflow_total,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency.mean, latency.max, latency:percentile(50), latency:percentile(90),
      latency:percentile(99)))
end
