-- Push a job with Enterprise fields: the unique lock, batch membership, the tracking record and
-- the push itself, as one step (a lock is never taken for a job that is not stored, nor a job
-- stored past a lock another job holds).
-- KEYS[1] = queues set, KEYS[2] = the queue list, or the scheduled set when ARGV[3] is a score,
-- KEYS[3] = unique lock or '', KEYS[4] = batch hash or '', KEYS[5] = track hash or '',
-- KEYS[6] = the not-unique counter, KEYS[7] = the batch's jobs set or ''
-- ARGV[1] = queue name, ARGV[2] = job JSON, ARGV[3] = score in scheduled or '' (enqueue now),
-- ARGV[4] = jid, ARGV[5] = lock TTL in ms, ARGV[6] = now (RFC 3339), ARGV[7] = track TTL in s
-- Returns 'OK', 'NOTUNIQUE' or 'NOBATCH'.
if KEYS[4] ~= '' and redis.call('EXISTS', KEYS[4]) == 0 then
  return 'NOBATCH'
end
if KEYS[3] ~= '' and not redis.call('SET', KEYS[3], ARGV[4], 'NX', 'PX', ARGV[5]) then
  redis.call('INCR', KEYS[6])
  return 'NOTUNIQUE'
end
if KEYS[4] ~= '' then
  redis.call('SADD', KEYS[7], ARGV[4])
  redis.call('HINCRBY', KEYS[4], 'total', 1)
  redis.call('HINCRBY', KEYS[4], 'pending', 1)
end
track(KEYS[5], 'enqueued', ARGV[6], ARGV[7])
if ARGV[3] == '' then
  redis.call('SADD', KEYS[1], ARGV[1])
  redis.call('LPUSH', KEYS[2], ARGV[2])
else
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
end
return 'OK'
