// Presence converges on every hub of a 12-hub mesh: joins (a burst, then newcomers one at a time), a
// re-announce with new data, a departure that edits a hub's page, one that withdraws it, and a hub restarted
// under the same identity are each heard by every member of the namespace within 2 s. Run twice on the same
// mesh (the second run meets the records the first left behind). At 6+ hubs, in-place edits of DHT values
// were lost by OpenDHT 2.4.12's listeners (docs/MESH.md); this is the test that caught it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPresenceMesh, restartHub, Room, quantile } from './lib/presence.mjs';
import { waitFor } from './lib/hub.mjs';
import { sleep } from './lib/client.mjs';

const HUBS = Number(process.env.PRESENCE_HUBS || 12);
const WITHIN_MS = 2000;
let mesh;
before(async () => { mesh = await startPresenceMesh(HUBS); });
after(async () => { for (const h of mesh?.hubs ?? []) await h.stop('SIGKILL'); });

async function heard(ev) {
  await ev.done(WITHIN_MS);
  assert.deepEqual(ev.missing, [], `${ev.kind} of ${ev.peer.slice(0, 6)}: not heard within ${WITHIN_MS} ms by ${ev.missing.length} member(s)`);
  return ev;
}

async function converged(room, what) {
  let diffs = [];
  try {
    await waitFor(() => (diffs = room.differences()).length === 0, { timeoutMs: WITHIN_MS, intervalMs: 20, what });
  } catch {
    assert.fail(`${what}: ${diffs.length} difference(s) after ${WITHIN_MS} ms: ${diffs.slice(0, 8).join('; ')}`);
  }
}

async function scenario(run) {
  const { hubs } = mesh;
  const room = new Room(`converge-${run}`);
  // A burst of joins: two peers per hub at once.
  await Promise.all(hubs.flatMap((h) => [room.join(h, {}, { expect: false }), room.join(h, {}, { expect: false })]));
  await converged(room, `burst of ${2 * hubs.length} joins`);
  // Five newcomers, one second apart, on different hubs.
  for (let i = 0; i < 5; i++) {
    await heard(await room.join(hubs[(3 * i + 1) % hubs.length], { nick: `new${i}` }));
    await sleep(1000);
  }
  // A re-announce with new data.
  const [someone] = [...room.members.values()].filter((m) => m.hub === hubs[2]);
  await heard(room.reannounce(someone.id, { nick: 'renamed', run }));
  // A departure that edits a page (its hub keeps another member there), then one that withdraws the page.
  const onHub4 = [...room.members.values()].filter((m) => m.hub === hubs[4]);
  assert.ok(onHub4.length >= 2);
  await heard(room.leave(onHub4[0].id));
  for (const m of onHub4.slice(1)) await heard(room.leave(m.id));
  // A hub stopped and started again under the same identity: its members' departures, then new members on it.
  const k = 5 + run;
  const t0 = performance.now();
  const goneWithHub = room.hubGone(hubs[k], t0);
  await mesh.hubs[k].stop('SIGTERM');
  for (const ev of goneWithHub) await heard(ev);
  const again = await restartHub(mesh, k);
  await heard(await room.join(again, { nick: 'back' }));
  await heard(await room.join(again));
  await converged(room, 'final state');
  const ms = room.events.flatMap((e) => e.ms);
  console.log(`run ${run}, ${hubs.length} hubs, ${room.events.length} events, ${ms.length} deliveries: ` +
    `p50 ${quantile(ms, 0.5).toFixed(0)} ms, p99 ${quantile(ms, 0.99).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms`);
  room.endAll();
}

test(`presence converges on all ${HUBS} hubs within ${WITHIN_MS} ms (first run)`, { timeout: 120000 }, () => scenario(1));
test(`presence converges on all ${HUBS} hubs within ${WITHIN_MS} ms (second run, same mesh)`, { timeout: 120000 }, () => scenario(2));
