// DHT traffic of an idle mesh: 3 hubs on loopback, N peers on hub 1 in 10 namespaces (+10 on hub 2), then the
// DHT messages all hubs send during S seconds, per connected peer per minute (from /stats mesh.dhtMessagesOut).
//   node tools/bench/mesh-traffic.mjs [N=100] [S=60]
import { startMesh, randomPeerId } from '../../tests/integration/lib/hub.mjs';
import { joined, sleep } from '../../tests/integration/lib/client.mjs';
const N = Number(process.argv[2] ?? 100), NS = 10, SECS = Number(process.argv[3] ?? 60);
const hubs = await startMesh(3);
const cs = [];
for (let i = 0; i < N; i++) cs.push(await joined(hubs[0], randomPeerId(), `t${i % NS}`));
for (let i = 0; i < NS; i++) cs.push(await joined(hubs[1], randomPeerId(), `t${i}`));
await sleep(3000);
const snap = async () => Promise.all(hubs.map(async (h) => (await (await fetch(`${h.url}/stats`)).json()).mesh));
const a = await snap();
await sleep(SECS * 1000);
const b = await snap();
const per = (k, i) => b[i][k] - a[i][k];
const tot = [0, 1, 2].reduce((s, i) => s + per('dhtMessagesOut', i), 0);
console.log(`${N} peers on hub1 in ${NS} namespaces (+${NS} on hub2), ${SECS} s idle:`);
for (const i of [0, 1, 2]) console.log(`hub${i + 1}: DHT messages out ${per('dhtMessagesOut', i)}, in ${per('dhtMessagesIn', i)}, presence puts ${per('presencePublished', i)}, hub records ${per('hubRecordsPublished', i)}`);
console.log(`all hubs: ${tot} messages sent in ${SECS} s = ${(tot / (N + NS) / (SECS / 60)).toFixed(1)} per connected peer per minute`);
process.exit(0);
