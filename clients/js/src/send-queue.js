// The signals a client holds while it has no hub: bounded, oldest first. Pure.

export class QueueFullError extends Error {
  constructor(limit) {
    super(`pigeonhub: send queue full (${limit} messages waiting for a hub); message refused`);
    this.name = 'QueueFullError';
    this.limit = limit;
  }
}

export class SendQueue {
  #items = [];

  constructor(limit) {
    this.limit = limit;
  }

  get length() { return this.#items.length; }

  // Appends `message`; throws QueueFullError (and keeps what it holds) when `limit` messages are waiting.
  push(message) {
    if (this.#items.length >= this.limit) throw new QueueFullError(this.limit);
    this.#items.push(message);
  }

  // Every held message, oldest first; the queue is then empty.
  drain() {
    const out = this.#items;
    this.#items = [];
    return out;
  }

  some(pred) { return this.#items.some(pred); }

  // The held messages that satisfy `pred`, oldest first, taken out; the others stay in their order.
  take(pred) {
    const out = [];
    const keep = [];
    for (const m of this.#items) (pred(m) ? out : keep).push(m);
    this.#items = keep;
    return out;
  }
}
