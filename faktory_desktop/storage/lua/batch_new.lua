-- Create a batch: its hash (uncommitted, so it expires unless committed in time), its place in the
-- index, and one more unfinished child in its parent.
-- KEYS[1] = batch hash, KEYS[2] = batches index, KEYS[3] = parent's hash or ''
-- ARGV[1] = TTL of an uncommitted batch (s), ARGV[2] = score in the index, ARGV[3] = bid,
-- ARGV[4..] = field, value pairs of the hash
-- Returns 'OK' or 'NOPARENT'.
if KEYS[3] ~= '' then
  if redis.call('EXISTS', KEYS[3]) == 0 then
    return 'NOPARENT'
  end
  redis.call('HINCRBY', KEYS[3], 'kids_c', 1)
  redis.call('HINCRBY', KEYS[3], 'kids_s', 1)
end
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 'OK'
