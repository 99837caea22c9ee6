-- POST /api/v1/auth/refresh, every request with a fresh (never used) refresh token.
-- usage: wrk ... -s wrk/refresh.lua URL -- <refresh-tokens-file> <threads>
-- Each thread starts with its share of the file (at least one token per connection) and keeps a FIFO: every 200
-- response's refreshToken is appended, every request takes the oldest. A connection sends its next request only
-- after its response was handled, so the FIFO never runs dry while responses succeed; each token is used exactly once.
-- (wrk's Lua API does not say which connection a callback belongs to, so the token goes to the thread's next
-- request rather than strictly to the same connection; the server-side effect, one rotation per token, is the same.)
dofile("wrk/common.lua")

function init(args)
   fifo = read_tokens(assert(args[1], "tokens file missing"), id, tonumber(args[2] or "2"))
   head = 1
   tail = #fifo
   dry = 0
   wrk.method = "POST"
   wrk.path = "/api/v1/auth/refresh"
   wrk.headers["Content-Type"] = "application/json"
end

function request()
   -- wrk calls request() once on thread 1's state before the run to check the script (script_verify_request);
   -- that request is never sent, so it must not spend a token
   if id == 1 and not verified then verified = true; return wrk.format(nil, nil, nil, '{"refreshToken":"check"}') end
   return wrk.format(nil, nil, nil, '{"refreshToken":"' .. take() .. '"}')
end

function response(status, headers, body)
   count_status(status)
   if status == 200 then
      local t = body:match('"refreshToken":"([^"]+)"')
      if t then tail = tail + 1; fifo[tail] = t end
   end
end

function done(summary, latency, requests)
   result(summary, latency, string.format(" fifo_dry=%d", sum_thread("dry")))
end
