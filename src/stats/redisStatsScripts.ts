/**
 * Lua run inside Redis so a batch's counters, chat states and watermark move together: a crash
 * never leaves a batch half counted, and a commit computed from a stale watermark writes nothing.
 * Every key derives from KEYS[1] (the corp base, one hash tag per corp).
 */

/**
 * KEYS[1] = corp base. ARGV = [expected watermark, next watermark, payload JSON] where payload is
 * {b: [[bucketKey, expireAtS, [field, n, …]], …], c: [[chatKey, stateJSON, pendingAt | -1], …]}.
 * Returns 1 when applied, 0 when the watermark had moved.
 */
export const COMMIT_LUA = `
local base = KEYS[1]
local current = tonumber(redis.call('GET', base .. 'w') or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
local p = cjson.decode(ARGV[3])
for _, b in ipairs(p.b) do
  local key = base .. 'b:' .. b[1]
  local f = b[3]
  for i = 1, #f, 2 do redis.call('HINCRBY', key, f[i], f[i + 1]) end
  redis.call('EXPIREAT', key, b[2])
end
for _, c in ipairs(p.c) do
  redis.call('HSET', base .. 'chats', c[1], c[2])
  if c[3] >= 0 then redis.call('ZADD', base .. 'pend', c[3], c[1]) else redis.call('ZREM', base .. 'pend', c[1]) end
end
redis.call('SET', base .. 'w', ARGV[2])
return 1
`;

/**
 * KEYS[1] = corp base. ARGV = [msgid, markerTtlS, payload JSON {b: [...]} as in COMMIT_LUA].
 * Adds the counters only if this message's recall was not counted yet. Returns 1 or 0.
 */
export const RECALL_LUA = `
local base = KEYS[1]
if not redis.call('SET', base .. 'rc:' .. ARGV[1], '1', 'EX', ARGV[2], 'NX') then return 0 end
local p = cjson.decode(ARGV[3])
for _, b in ipairs(p.b) do
  local key = base .. 'b:' .. b[1]
  local f = b[3]
  for i = 1, #f, 2 do redis.call('HINCRBY', key, f[i], f[i + 1]) end
  redis.call('EXPIREAT', key, b[2])
end
return 1
`;
