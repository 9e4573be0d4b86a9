-- Move one entry to another sorted set (kill, edit in place), only if it is still in the source.
-- KEYS[1] = source, KEYS[2] = destination; ARGV[1] = member, ARGV[2] = new score,
-- ARGV[3] = new member
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
