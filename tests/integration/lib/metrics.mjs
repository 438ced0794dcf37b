// Reading the hub's /metrics (Prometheus text format) in tests.

// The value of one sample (`name{labels}` exactly as written), or undefined.
export function sample(body, series) {
  for (const line of body.split('\n')) {
    if (line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    if (line.slice(0, i) === series) return Number(line.slice(i + 1));
  }
  return undefined;
}
