// pigeonhub: the JavaScript client of PigeonHub. ESM, no build step, no runtime dependencies (Node 18+ and
// browsers; `ws` is imported only where there is no global WebSocket). Types: index.d.ts. Guide: README.md.
export { generatePeerId, isPeerId } from './src/peer-id.js';
export { getBootstrapPeers, parseBootstrapPeersFromEnv, parsePeerList, parsePeers, regionRank, BootstrapError, TIERS, REGIONS }
  from './src/bootstrap-peers.js';
export { classifyAddress } from './src/peer-address.js';
export { backoffDelay, backoffCeiling, DEFAULT_BACKOFF } from './src/backoff.js';
export { rankHubs, hubLoad } from './src/hub-ranking.js';
export { HubDirectory, mergeHubLists, hubKey, DIRECTORY_DEFAULTS } from './src/hub-directory.js';
export { connectSignaling, SignalingClient, SIGNALING_DEFAULTS } from './src/signaling-client.js';
export { QueueFullError } from './src/send-queue.js';
export { PigeonHubEvent } from './src/events.js';
export { publish, find, signRecord, verifyRecord, HubHttpError, DEFAULT_TTL_S } from './src/data.js';
export { canonicalJson, recordMessage, bootstrapDocumentMessage, CanonicalJsonError } from './src/canonical-json.js';
export { generateKeyPair, signText, verifyText, ed25519Backend } from './src/ed25519.js';
export { installFailoverWebSocket, redirectTarget } from './src/peerpigeon-failover.js';
