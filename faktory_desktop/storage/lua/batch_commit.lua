-- Commit a batch: from now on its callbacks may fire, and fire here if they are due already (an
-- empty batch, or one whose jobs all ran before the commit). Committing again is harmless.
-- ARGV[1] = bid, ARGV[2] = now (RFC 3339)
-- Returns {0} for an unknown batch, else {1, queues that received a callback job...}.
local h = BATCH .. ARGV[1]
if redis.call('EXISTS', h) == 0 then
  return {0}
end
redis.call('HSET', h, 'committed', '1')
keep(h)
local queues = {1}
settle({ARGV[1]}, ARGV[2], queues)
return queues
