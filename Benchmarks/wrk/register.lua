-- POST /api/v1/auth/register (JSON), a new email on every request (run prefix, wrk thread id, per-thread counter).
-- One bcrypt hash + INSERT + a verification mail per request.
-- usage: wrk ... -s wrk/register.lua URL -- <run-prefix>
dofile("wrk/common.lua")

function init(args)
   prefix = assert(args[1], "prefix missing")
   counter = 0
   wrk.method = "POST"
   wrk.path = "/api/v1/auth/register"
   wrk.headers["Content-Type"] = "application/json"
end

function request()
   counter = counter + 1
   local body = string.format('{"email":"r%s-t%d-%d@example.com","password":"Corr3ct-Horse!"}', prefix, id, counter)
   return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body) count_status(status) end

function done(summary, latency, requests) result(summary, latency) end
