-- Cycle through the 50 parameterised routes so the router's whole table is exercised.
local i = 0
request = function()
  i = (i + 1) % 50
  return wrk.format("GET", "/r" .. i .. "/" .. (i * 7 + 1) .. "/items/item-" .. i)
end
