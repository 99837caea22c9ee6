-- Shared by the Gatehouse wrk scripts (loaded with dofile from each script, path relative to the wrk working
-- directory, which run.sh sets to Benchmarks/). Every script prints one machine-readable RESULT line at the end, in
-- the same format as ../shared/peers/fastapi-users/wrk/*.lua, plus `other` = responses that were neither 2xx nor
-- counted by wrk as errors (wrk counts only status > 399 in errors.status).
threads = {}

function setup(thread)
   thread:set("id", #threads + 1)
   table.insert(threads, thread)
end

function sum_thread(name)
   local s = 0
   for _, t in ipairs(threads) do s = s + (t:get(name) or 0) end
   return s
end

function result(summary, latency, extra)
   local e = summary.errors
   io.write(string.format(
      "RESULT requests=%d duration_s=%.3f rps=%.2f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d timeouts=%d sockerr=%d%s\n",
      summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
      math.max(e.status, sum_thread("non2xx")), e.timeout, e.connect + e.read + e.write, extra or ""))
end

-- per-thread counters (read from done() through thread:get)
non2xx = 0
function count_status(status)
   if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

-- the tokens file holds one line per token; thread i takes lines i, i+T, i+2T, ... (T = number of threads)
function read_tokens(path, id, nthreads)
   local out, n = {}, 0
   for line in io.lines(path) do
      if #line > 0 then
         if n % nthreads == id - 1 then table.insert(out, line) end
         n = n + 1
      end
   end
   return out
end

-- The oldest unused refresh token of this thread's FIFO (`fifo`, `head`, `tail`), or "none" (counted in `dry`).
function take()
   if head > tail then dry = dry + 1; return "none" end
   local t = fifo[head]
   fifo[head] = nil
   head = head + 1
   return t
end
