-- Mixed traffic at a steady, paced rate: of every 100 requests of a thread, 1 is a login, 9 are refreshes (fresh
-- tokens, as in refresh.lua) and 90 are GET /api/v1/users/me. Each connection waits before each request so that
-- the whole run offers about <rate> requests/s (wrk's delay(); jittered) instead of a closed loop, in which the 1 %
-- of bcrypt-bound logins would set the pace of everything.
-- usage: wrk ... -s wrk/mixed.lua URL -- <access-token> <refresh-tokens-file> <threads> <email> <password> <rate> <connections>
dofile("wrk/common.lua")

function init(args)
   local access = assert(args[1], "access token missing")
   local nthreads = tonumber(args[3])
   fifo = read_tokens(args[2], id, nthreads)
   head = 1
   tail = #fifo
   dry = 0
   me_req = wrk.format("GET", "/api/v1/users/me", { ["Authorization"] = "Bearer " .. access })
   login_req = wrk.format("POST", "/api/v1/auth/login", { ["Content-Type"] = "application/json" },
      string.format('{"email":"%s","password":"%s"}', args[4], args[5]))
   local rate, conns = tonumber(args[6]), tonumber(args[7])
   pace_ms = 1000 * conns / rate
   math.randomseed(os.time() * 100 + id)
   n = id * 37  -- threads start at different points of the cycle
   logins, refreshes, mes = 0, 0, 0
end

function delay()
   return pace_ms * (0.5 + math.random())
end

function request()
   -- wrk calls request() once on thread 1's state to check the script; that request is never sent
   if id == 1 and not verified then verified = true; return me_req end
   n = n + 1
   local k = n % 100
   if k == 0 then
      logins = logins + 1
      return login_req
   elseif k <= 9 then
      refreshes = refreshes + 1
      return wrk.format("POST", "/api/v1/auth/refresh", { ["Content-Type"] = "application/json" },
         '{"refreshToken":"' .. take() .. '"}')
   end
   mes = mes + 1
   return me_req
end

function response(status, headers, body)
   count_status(status)
   if status == 200 and #body > 300 then
      local t = body:match('"refreshToken":"([^"]+)"')
      if t then tail = tail + 1; fifo[tail] = t end
   end
end

function done(summary, latency, requests)
   result(summary, latency, string.format(" logins=%d refreshes=%d mes=%d fifo_dry=%d",
      sum_thread("logins"), sum_thread("refreshes"), sum_thread("mes"), sum_thread("dry")))
end
