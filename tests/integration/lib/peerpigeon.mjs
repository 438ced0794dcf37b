// The real PeerPigeon 1.1.3 client (npm `peerpigeon`, library code unchanged) for tests, with WebRTC from
// @roamhq/wrtc (installed in place of @koush/wrtc by the npm override) and no ICE servers: PeerPigeon
// hard-codes five public Google STUN servers, which a test must never contact. The STUN list is replaced
// through PeerPigeon's documented hook for a custom PigeonRTC (`globalThis.__PEERPIGEON_PIGEONRTC__`).
import { PeerPigeonMesh } from 'peerpigeon';
import { createPigeonRTC, NodeRTCAdapter } from 'pigeonrtc';

class LoopbackOnlyAdapter extends NodeRTCAdapter {
  getRTCPeerConnection() {
    const Base = super.getRTCPeerConnection();
    return class extends Base {
      constructor(config = {}) {
        super({ ...config, iceServers: [], iceCandidatePoolSize: 0 });
      }
    };
  }
  getName() { return 'LoopbackOnlyAdapter'; }
}

globalThis.__PEERPIGEON_PIGEONRTC__ = {
  createPigeonRTC: () => createPigeonRTC({ adapter: new LoopbackOnlyAdapter() }),
};

// A mesh with crypto and WebDHT off (they are peer-to-peer features the hub never sees).
export async function createMesh(options = {}) {
  const mesh = new PeerPigeonMesh({ enableCrypto: false, enableWebDHT: false, maxPeers: 3, minPeers: 1, ...options });
  await mesh.init();
  return mesh;
}

// Resolves with the first event `name` whose payload satisfies `pred`, or rejects after `ms`.
export function waitEvent(mesh, name, pred = () => true, ms = 20000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} event within ${ms} ms`)), ms);
    const on = (e) => {
      if (!pred(e)) return;
      clearTimeout(timer);
      mesh.removeEventListener?.(name, on);
      resolve(e);
    };
    mesh.addEventListener(name, on);
  });
}
