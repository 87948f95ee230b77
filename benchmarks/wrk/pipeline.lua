-- HTTP/1.1 pipelining: each wrk request sends 16 GET /ping back to back on one connection.
local depth = 16
local req
init = function()
  local one = wrk.format("GET", "/ping")
  req = string.rep(one, depth)
end
request = function()
  return req
end
