//! Limits shared by every replica: the cells live in Redis and one script
//! decides all the cells of a request atomically, on Redis's clock (so
//! replicas' clocks need not agree) — the arithmetic of [`super::gcra`],
//! in Lua. One round trip per request.

use std::sync::LazyLock;
use std::time::Duration;

use super::gcra::Verdict;
use super::Rate;
use crate::store::{AtomicScript, Store, StoreError};

/// KEYS: the cells. ARGV: interval (µs), burst and weight of each cell in
/// turn. Returns, per cell: allowed (1/0), remaining, reset (µs), retry
/// after (µs). Every cell is spent when all allow, none otherwise.
const GCRA: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local out, next_tats, allowed = {}, {}, true
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[3 * i - 2])
  local burst = tonumber(ARGV[3 * i - 1])
  local weight = tonumber(ARGV[3 * i])
  local capacity = interval * burst
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local next_tat = tat + interval * weight
  local allow_at = next_tat - capacity
  if allow_at > now then
    allowed = false
    table.insert(out, 0)
    table.insert(out, math.floor((capacity - (tat - now)) / interval))
    table.insert(out, tat - now)
    table.insert(out, allow_at - now)
  else
    next_tats[i] = next_tat
    table.insert(out, 1)
    table.insert(out, math.floor((capacity - (next_tat - now)) / interval))
    table.insert(out, next_tat - now)
    table.insert(out, 0)
  end
end
if allowed then
  for i, key in ipairs(KEYS) do
    local ttl = math.ceil((next_tats[i] - now) / 1000) + 1
    redis.call('SET', key, string.format('%d', next_tats[i]), 'PX', ttl)
  end
end
return out
";

static SCRIPT: LazyLock<AtomicScript> = LazyLock::new(|| AtomicScript::new(GCRA));

/// Decides `requests` on the shared store: the verdicts, or `None` when
/// the store cannot share cells (the embedded store).
pub async fn decide_all(
    store: &dyn Store,
    requests: &[(&str, Rate, u32)],
) -> Result<Option<Vec<Verdict>>, StoreError> {
    let keys: Vec<String> = requests
        .iter()
        .map(|(key, _, _)| format!("rl:{key}"))
        .collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let mut args = Vec::with_capacity(requests.len() * 3);
    for (_, rate, weight) in requests {
        args.push(i64::try_from(rate.interval_us()).unwrap_or(i64::MAX));
        args.push(i64::from(rate.burst));
        args.push(i64::from(*weight));
    }
    let Some(values) = store.run_atomic(&SCRIPT, &keys, &args).await? else {
        return Ok(None);
    };
    let verdicts = values
        .chunks(4)
        .map(|cell| match cell {
            [allowed, remaining, reset, retry] => Ok(Verdict {
                allowed: *allowed == 1,
                remaining: u32::try_from(*remaining).unwrap_or(0),
                reset: micros(*reset),
                retry_after: micros(*retry),
            }),
            _ => Err(StoreError::Corrupt(
                "the rate limit script answered short".into(),
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if verdicts.len() != requests.len() {
        return Err(StoreError::Corrupt(
            "the rate limit script answered short".into(),
        ));
    }
    Ok(Some(verdicts))
}

fn micros(us: i64) -> Duration {
    Duration::from_micros(u64::try_from(us).unwrap_or(0))
}
