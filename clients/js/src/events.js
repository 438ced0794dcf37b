// The event every pigeonhub object dispatches: a plain Event with `detail` (CustomEvent is not global in Node 18.0-18.6).
export class PigeonHubEvent extends Event {
  constructor(type, detail) {
    super(type);
    this.detail = detail;
  }
}

// An EventTarget with on(type, fn): fn gets the event's detail; returns a function that removes it.
export class Emitter extends EventTarget {
  on(type, fn) {
    const listener = (e) => fn(e.detail, e);
    this.addEventListener(type, listener);
    return () => this.removeEventListener(type, listener);
  }

  emit(type, detail) {
    this.dispatchEvent(new PigeonHubEvent(type, detail));
  }
}
