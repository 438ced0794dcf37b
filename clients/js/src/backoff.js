// Reconnect backoff: exponential with full jitter (a uniform draw in [0, min(cap, base * 2^attempt)]), so that the
// clients of a hub that died do not all knock on the next hub at the same instant. Pure: the random source is a
// parameter.

export const DEFAULT_BACKOFF = Object.freeze({ baseMs: 250, capMs: 30000 });

// The largest wait of retry number `attempt` (0 for the first retry).
export function backoffCeiling(attempt, { baseMs = DEFAULT_BACKOFF.baseMs, capMs = DEFAULT_BACKOFF.capMs } = {}) {
  const n = Math.max(0, Math.min(Math.floor(attempt), 52));  // 2^52 * base is far past any cap
  return Math.min(capMs, baseMs * 2 ** n);
}

// The wait before retry number `attempt`, in ms: uniform in [0, backoffCeiling(attempt)]. `random` returns [0, 1).
export function backoffDelay(attempt, policy = DEFAULT_BACKOFF, random = Math.random) {
  return Math.floor(random() * (backoffCeiling(attempt, policy) + 1));
}
