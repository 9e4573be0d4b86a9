-- Delete a batch and its sets; a parent stops waiting for it (its stages count as finished there).
-- KEYS[1] = the batches index; ARGV[1] = bid, ARGV[2] = now (RFC 3339)
-- Returns {1 if it existed else 0, queues that received a callback job...}.
local h = BATCH .. ARGV[1]
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('EXISTS', h) == 0 then
  return {0}
end
local todo = {}
finish(h, 'complete', todo)
finish(h, 'success', todo)
redis.call('DEL', h, h .. ':failed', h .. ':jobs')
local queues = {1}
settle(todo, ARGV[2], queues)
return queues
