-- Enqueue one job: register its queue and LPUSH the job (the oldest job sits at the tail).
-- KEYS[1] = the queues set, KEYS[2] = the queue list; ARGV[1] = queue name, ARGV[2] = job JSON
redis.call('SADD', KEYS[1], ARGV[1])
return redis.call('LPUSH', KEYS[2], ARGV[2])
