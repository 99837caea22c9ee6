-- POST /api/v1/auth/login (JSON). One bcrypt verification per request.
-- usage: wrk ... -s wrk/login.lua URL -- <email> <password> [<users>]
-- With <users> (growth scenario), <email> is a pattern containing %d and each request picks a random user 1..<users>.
dofile("wrk/common.lua")

function init(args)
   email = assert(args[1], "email missing")
   password = assert(args[2], "password missing")
   users = tonumber(args[3] or "0")
   math.randomseed(os.time() * 100 + id)
   wrk.method = "POST"
   wrk.path = "/api/v1/auth/login"
   wrk.headers["Content-Type"] = "application/json"
   wrk.body = string.format('{"email":"%s","password":"%s"}', email, password)
end

function request()
   if users > 0 then
      local body = string.format('{"email":"%s","password":"%s"}', string.format(email, math.random(users)), password)
      return wrk.format(nil, nil, nil, body)
   end
   return wrk.format()
end

function response(status, headers, body) count_status(status) end

function done(summary, latency, requests) result(summary, latency) end
