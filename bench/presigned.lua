-- wrk script for `make bench`: sends pre-made requests, each exactly once.
--
--   wrk -t T -c C -d D -s bench/presigned.lua URL -- SLICE_PREFIX RESERVE PATH HOST
--
-- Thread k reads SLICE_PREFIX-k.txt, one Authorization header value per line (made by bench/presign.py:
-- signed for oauth1-fcgi, unsigned stand-ins of the same shape for the floor), and sends
--
--   GET PATH HTTP/1.1 / Host: HOST / Authorization: <line k>
--
-- with line k used once. When only RESERVE lines are left (RESERVE >= connections per thread, so every
-- connection still has a fresh line for the request it may be about to send) the thread stops itself;
-- such a run is cut short and bench/run.py reruns it with more lines. If lines ever ran out anyway the
-- last one is sent again: the provider refuses the replay, so the run fails loudly instead of quietly.
--
-- Every response is checked: anything but 2xx is counted (wrk itself counts only statuses > 399).
-- done() prints one line "BENCH-RESULT {json}" with the totals, latency percentiles and per-thread counters.

local threads = {}
local thread_count = 0

function setup(thread)
   thread:set("tid", thread_count)
   thread_count = thread_count + 1
   table.insert(threads, thread)
end

function init(args)
   local prefix, reserve_arg, path, host = args[1], args[2], args[3], args[4]
   if not (prefix and reserve_arg and path and host) then
      error("usage: wrk ... -s presigned.lua URL -- SLICE_PREFIX RESERVE PATH HOST")
   end
   reserve = tonumber(reserve_arg)
   local file = assert(io.open(prefix .. "-" .. tid .. ".txt", "rb"))
   local data = file:read("*a")
   file:close()
   lines = {}
   for line in data:gmatch("[^\n]+") do
      lines[#lines + 1] = line
   end
   count = #lines
   head = "GET " .. path .. " HTTP/1.1\r\nHost: " .. host .. "\r\nAuthorization: "
   tail = "\r\n\r\n"
   used = 0          -- lines handed to wrk
   ok = 0            -- 2xx responses
   bad = 0           -- other responses
   stopped = 0       -- 1 once this thread stopped itself for lack of lines
   replayed = 0      -- lines sent a second time (must stay 0)
   first_bad = ""
   if count == 0 then
      error("no request lines in " .. prefix .. "-" .. tid .. ".txt")
   end
end

function request()
   used = used + 1
   if stopped == 0 and used > count - reserve then
      stopped = 1
      wrk.thread:stop()
   end
   local index = used
   if index > count then
      replayed = replayed + 1
      index = count
   end
   return head .. lines[index] .. tail
end

function response(status, headers, body)
   if status >= 200 and status < 300 then
      ok = ok + 1
   else
      bad = bad + 1
      if first_bad == "" then
         first_bad = tostring(status) .. " " .. string.sub(body or "", 1, 300)
      end
   end
end

local function quote(text)
   text = string.gsub(tostring(text), '[%c"\\]', function(c)
      return string.format("\\u%04x", string.byte(c))
   end)
   return '"' .. text .. '"'
end

function done(summary, latency, requests)
   local per_thread = {}
   local totals = { ok = 0, bad = 0, stopped = 0, replayed = 0, lines = 0, used = 0 }
   local first_bad = ""
   for _, thread in ipairs(threads) do
      local t = {
         ok = thread:get("ok") or 0,
         bad = thread:get("bad") or 0,
         stopped = thread:get("stopped") or 0,
         replayed = thread:get("replayed") or 0,
         lines = thread:get("count") or 0,
         used = thread:get("used") or 0,
      }
      for k, v in pairs(t) do totals[k] = totals[k] + v end
      local fb = thread:get("first_bad") or ""
      if first_bad == "" and fb ~= "" then first_bad = fb end
      per_thread[#per_thread + 1] = string.format(
         '{"ok":%d,"bad":%d,"stopped":%d,"replayed":%d,"lines":%d,"used":%d}',
         t.ok, t.bad, t.stopped, t.replayed, t.lines, t.used)
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH-RESULT {"duration_us":%d,"requests":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latency_us":{"min":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f},' ..
      '"ok":%d,"non_2xx":%d,"stopped_threads":%d,"replayed":%d,"lines":%d,"used":%d,' ..
      '"first_bad":%s,"threads":[%s]}\n',
      summary.duration, summary.requests, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency.min, latency:percentile(50.0), latency:percentile(90.0), latency:percentile(99.0),
      latency.max, latency.mean,
      totals.ok, totals.bad, totals.stopped, totals.replayed, totals.lines, totals.used,
      quote(first_bad), table.concat(per_thread, ",")))
end
