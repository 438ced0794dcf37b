// The PeerPigeon 1.1.3 reference hub as a hub server (isHub: true) that dials the hubs in BOOTSTRAP_HUBS
// (comma-separated ws:// URLs) over its WebSocket "bootstrap links", as upstream's scripts/start-hub.js does.
// autoConnect is off so that no WebRTC hub mesh and no default ws://host:3000 link are attempted; the links are
// opened by hand (the protocol notes, section 4.2, did the same). Loopback only: HOST must be 127.0.0.1.
//
//   PORT=P BOOTSTRAP_HUBS=ws://127.0.0.1:Q node tools/bench/reference-hub-server.mjs
import { PeerPigeonServer } from '../../node_modules/peerpigeon/server/index.js';

const host = process.env.HOST || '127.0.0.1';
if (host !== '127.0.0.1') throw new Error('loopback only');
const bootstrapHubs = (process.env.BOOTSTRAP_HUBS || '').split(',').filter(Boolean);
const server = new PeerPigeonServer({
  port: Number(process.env.PORT),
  host,
  maxConnections: Number(process.env.MAX_CONNECTIONS || 10000),
  isHub: true,
  autoConnect: false,
  bootstrapHubs,
});
await server.start();
if (bootstrapHubs.length > 0) await server.connectToBootstrapHubs();
console.log('links-ready');
process.on('SIGTERM', async () => { await server.stop(); process.exit(0); });
