-- Fail a reserved job: drop the reservation, count it, and file the failed job under retries or
-- dead (or nowhere, for retry 0). Does nothing if the reservation was already gone (reaped).
-- KEYS[1] = working, KEYS[2] = processed, KEYS[3] = failures, KEYS[4] = processed:<date>,
-- KEYS[5] = failures:<date>, KEYS[6] = target set or absent
-- ARGV[1] = reservation member, ARGV[2] = score in the target set, ARGV[3] = job JSON with failure
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then
  return 0
end
for i = 2, 5 do
  redis.call('INCR', KEYS[i])
end
if KEYS[6] then
  redis.call('ZADD', KEYS[6], ARGV[2], ARGV[3])
end
return 1
