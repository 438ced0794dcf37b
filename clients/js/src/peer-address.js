// What a bootstrap address is, as the hub's src/bootstrap/peer_address.cpp decides it: a hub URL (ws://, wss://,
// http://, https://: a host, an optional port 1..65535, an optional path) or a DHT node "host:port" / "[v6]:port".
// Pure string checks; no URL parser, because WHATWG URL accepts (and rewrites) much that the hub refuses.

const NAME_CHARS = /^[A-Za-z0-9._-]+$/;
const SCHEMES = ['ws', 'wss', 'http', 'https'];

// An IPv6 literal without brackets or zone, as inet_pton(AF_INET6) reads it.
function isIpv6(text) {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return false;
  let head = text;
  let v4Groups = 0;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = text.slice(lastColon + 1).split('.');
    if (v4.length !== 4 || !v4.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return false;
    head = text.slice(0, lastColon + 1) + '0';  // stands for the last two groups; counted below
    v4Groups = 1;
  }
  const halves = head.split('::');
  if (halves.length > 2) return false;
  const groups = (h) => (h === '' ? [] : h.split(':'));
  const parts = halves.flatMap(groups);
  if (!parts.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const count = parts.length + v4Groups;
  return halves.length === 2 ? count <= 7 : count === 8;
}

// "host[:port]" as util/url.cpp's parse_host_port takes it; `requirePort` for a DHT node. Port 0 or > 65535 fails.
function isHostPort(authority, requirePort) {
  let host;
  let port;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) return false;
    host = authority.slice(1, close);
    if (!isIpv6(host)) return false;
    const after = authority.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return false;
    port = after === '' ? undefined : after.slice(1);
  } else {
    const colon = authority.indexOf(':');
    host = colon < 0 ? authority : authority.slice(0, colon);
    if (!NAME_CHARS.test(host)) return false;
    port = colon < 0 ? undefined : authority.slice(colon + 1);
  }
  if (port === undefined || port === '') return !requirePort;
  if (!/^\d{1,5}$/.test(port)) return false;
  const n = Number(port);
  return n >= 1 && n <= 65535;
}

function isHubUrl(rest) {  // what follows "scheme://"
  if (/[\x00-\x20\x7f-\uffff]/.test(rest)) return false;
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  if (authority.includes('@')) return false;
  return isHostPort(authority, false);
}

function isDhtNode(address) {
  if (/[/?#]/.test(address) || /[\x00-\x20\x7f-\uffff]/.test(address)) return false;
  const colon = address.lastIndexOf(':');
  if (colon < 0 || colon + 1 === address.length) return false;
  if (address.indexOf(']', colon) >= 0) return false;
  // An unbracketed IPv6 address has more than one colon: parse_host_port splits at the first and fails the port.
  return isHostPort(address, true);
}

// 'hub', 'dht', 'bad-url' (one of the four schemes, no valid URL after it) or 'neither'.
export function classifyAddress(address) {
  const sep = address.indexOf('://');
  const scheme = sep < 0 ? '' : address.slice(0, sep).toLowerCase();
  if (address.includes(',')) return scheme === '' ? 'neither' : 'bad-url';
  if (scheme === '') return isDhtNode(address) ? 'dht' : 'neither';
  if (!SCHEMES.includes(scheme)) return 'neither';
  return isHubUrl(address.slice(sep + 3)) ? 'hub' : 'bad-url';
}

// The words an error uses for an address that is not one (kind 'bad-url' or 'neither').
export function addressProblem(kind, address) {
  return kind === 'bad-url'
    ? `'${address}' is not a valid hub URL (a host, an optional port 1..65535, an optional path)`
    : `'${address}' is neither a hub URL (ws://, wss://, http://, https://) nor a DHT node host:port`;
}
