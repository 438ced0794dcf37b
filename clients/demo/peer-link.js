// One WebRTC link to another peer: an RTCPeerConnection with one data channel ("chat"), negotiated through the
// hub's offer / answer / ice-candidate messages (the shapes PeerPigeon uses: `data` is the session description or
// the candidate's toJSON()). The side that clicks "Connect" offers; an offer that arrives while this side's own offer
// is out (both clicked) is settled by the ids: the side with the smaller id keeps its offer, the other answers.
//
//   const link = new PeerLink({ me, peer, send: (m) => client.send(m), iceServers: [] });
//   link.addEventListener('state', () => link.state);   // 'connecting' | 'open' | 'closed'
//   link.addEventListener('message', (e) => e.detail);   // the text the peer sent
//   await link.offer();  /  await link.receive(msg);  link.send(text);  link.close();
export class PeerLink extends EventTarget {
  #pc;
  #channel = null;
  #send;
  #pending = [];        // ICE candidates that came before the remote description
  #remoteSet = false;

  constructor({ me, peer, send, iceServers = [] }) {
    super();
    this.me = me;
    this.peer = peer;
    this.state = 'connecting';
    this.#send = send;
    this.#pc = new RTCPeerConnection({ iceServers });
    this.#pc.addEventListener('icecandidate', ({ candidate }) => {
      if (candidate) this.#send({ type: 'ice-candidate', targetPeerId: peer, data: candidate.toJSON() });
    });
    this.#pc.addEventListener('connectionstatechange', () => {
      const s = this.#pc.connectionState;
      if (s === 'failed' || s === 'closed') this.#setState('closed');
    });
    this.#pc.addEventListener('datachannel', ({ channel }) => this.#adopt(channel));
  }

  get connectionState() { return this.#pc.connectionState; }
  get iceServers() { return this.#pc.getConfiguration().iceServers; }
  // Whether this side's offer is out and unanswered.
  get offering() { return this.#pc.signalingState === 'have-local-offer'; }

  async offer() {
    this.#adopt(this.#pc.createDataChannel('chat'));
    await this.#pc.setLocalDescription(await this.#pc.createOffer());
    this.#send({ type: 'offer', targetPeerId: this.peer, data: this.#pc.localDescription.toJSON() });
  }

  // An offer, answer or ice-candidate from the peer.
  async receive(message) {
    const { type, data } = message;
    if (this.state === 'closed' || !data) return;
    if (type === 'offer') {
      await this.#pc.setRemoteDescription(data);
      await this.#remoteReady();
      await this.#pc.setLocalDescription(await this.#pc.createAnswer());
      this.#send({ type: 'answer', targetPeerId: this.peer, data: this.#pc.localDescription.toJSON() });
    } else if (type === 'answer') {
      if (!this.offering) return;   // late or repeated
      await this.#pc.setRemoteDescription(data);
      await this.#remoteReady();
    } else if (type === 'ice-candidate') {
      if (this.#remoteSet) await this.#pc.addIceCandidate(data).catch(() => {});
      else if (this.#pending.length < 64) this.#pending.push(data);
    }
  }

  send(text) {
    if (this.state !== 'open') throw new Error('the data channel is not open');
    this.#channel.send(text);
  }

  close() {
    this.#channel?.close();
    this.#pc.close();
    this.#setState('closed');
  }

  async #remoteReady() {
    this.#remoteSet = true;
    for (const c of this.#pending.splice(0)) await this.#pc.addIceCandidate(c).catch(() => {});
  }

  #adopt(channel) {
    this.#channel = channel;
    channel.addEventListener('open', () => this.#setState('open'));
    channel.addEventListener('close', () => this.close());
    channel.addEventListener('message', (e) => {
      if (typeof e.data === 'string') this.dispatchEvent(new CustomEvent('message', { detail: e.data }));
    });
  }

  #setState(state) {
    if (this.state === state || this.state === 'closed') return;
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: state }));
  }
}
