-- GET /api/v1/users/me with a bearer token (also used against the framework baseline, which ignores it).
-- Static request and no response() callback, like ../shared/peers/fastapi-users/wrk/me.lua, so that wrk's own CPU
-- use matches the peer's; wrk counts status > 399 as errors.
-- usage: wrk ... -s wrk/me.lua URL -- <access-token>
dofile("wrk/common.lua")

function init(args)
   wrk.method = "GET"
   wrk.path = "/api/v1/users/me"
   wrk.headers["Authorization"] = "Bearer " .. assert(args[1], "token argument missing")
end

function done(summary, latency, requests) result(summary, latency) end
