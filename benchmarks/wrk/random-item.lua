-- GET /items/:id for ids spread over the 10,000 seeded rows.
local i = 0
request = function()
  i = (i * 7919 + 13) % 10000
  return wrk.format("GET", "/items/" .. (i + 1))
end
