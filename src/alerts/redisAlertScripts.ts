/**
 * Lua for the alert transitions, so that across replicas an alert opens once and resolves once.
 * KEYS[1] is the corp base; every key derives from it (one hash tag per corp).
 */

/** ARGV = [id, chatKey, record JSON]. Returns the new seq, or 0 when the alert exists. */
export const OPEN_ALERT_LUA = `
local base = KEYS[1]
if redis.call('HEXISTS', base .. 'a', ARGV[1]) == 1 then return 0 end
local seq = redis.call('INCR', base .. 'seq')
redis.call('HSET', base .. 'a', ARGV[1], ARGV[3])
redis.call('ZADD', base .. 'all', seq, ARGV[1])
redis.call('ZADD', base .. 'open', seq, ARGV[1])
redis.call('SADD', base .. 'ch:' .. ARGV[2], ARGV[1])
return seq
`;

/** ARGV = [chatKey, resolution JSON]. Moves the chat's open alerts to resolved; returns their ids. */
export const RESOLVE_CHAT_LUA = `
local base = KEYS[1]
local chat = base .. 'ch:' .. ARGV[1]
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', chat)) do
  local seq = redis.call('ZSCORE', base .. 'open', id)
  if seq then
    redis.call('ZREM', base .. 'open', id)
    redis.call('ZADD', base .. 'done', seq, id)
    redis.call('HSET', base .. 'st', id, ARGV[2])
    out[#out + 1] = id
  end
end
redis.call('DEL', chat)
return out
`;
