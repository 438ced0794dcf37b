// Types of the pigeonhub package (index.js). See README.md for behaviour, events and bounds.

export function generatePeerId(): string;
export function isPeerId(id: unknown): boolean;

// ---- bootstrap order (include/pigeonhub/bootstrap.h; tests/vectors/bootstrap-peers.json) ----
export type Tier = 'custom' | 'local' | 'production' | 'regional' | 'community' | 'discovered';
export interface BootstrapPeer {
  t: 'hub' | 'dht';
  u: string;
  region: string;
  priority: number;
  description: string;
  publicKey?: string;
  signature?: string;
  timestamp?: number;
  tier: Tier;
  source: string;
}
export interface BootstrapOptions {
  environment?: string;
  region?: string;
  customPeers?: string | BootstrapPeer[];
  includeLocal?: boolean;
  production?: BootstrapPeer[];
  regional?: BootstrapPeer[];
  community?: BootstrapPeer[];
  discovered?: BootstrapPeer[];
  localBasePort?: number;
}
export const TIERS: readonly Tier[];
export const REGIONS: readonly string[];
export class BootstrapError extends Error {}
export function getBootstrapPeers(options?: BootstrapOptions): BootstrapPeer[];
export function parseBootstrapPeersFromEnv(list: string): BootstrapPeer[];
export function parsePeerList(list: string, options?: { name?: string; tier?: Tier; source?: string }): BootstrapPeer[];
export function parsePeers(value: unknown, options: { tier: Tier; source: string }): BootstrapPeer[];
export function regionRank(region: string, own: string): number;
export function classifyAddress(address: string): 'hub' | 'dht' | 'bad-url' | 'neither';

// ---- backoff ----
export interface BackoffPolicy { baseMs?: number; capMs?: number }
export const DEFAULT_BACKOFF: Readonly<{ baseMs: 250; capMs: 30000 }>;
export function backoffCeiling(attempt: number, policy?: BackoffPolicy): number;
export function backoffDelay(attempt: number, policy?: BackoffPolicy, random?: () => number): number;

// ---- hubs ----
export interface Hub {
  url: string;
  region?: string;
  priority?: number;
  connections?: number;
  capacity?: number;
  hubId?: string;
  source?: 'seed' | 'document' | 'hubs';
}
export function hubLoad(hub: Hub): number;
export function rankHubs(hubs: Hub[], options?: { region?: string; downUntil?: Map<string, number>; now?: number }): Hub[];
export function hubKey(url: string): string;
export function mergeHubLists(lists: { seeds?: string[]; hubsAnswer?: unknown; document?: unknown; maxHubs?: number }): Hub[];

export class PigeonHubEvent<T = unknown> extends Event {
  readonly detail: T;
}

declare class Emitter<Events> extends EventTarget {
  /** Calls fn(event.detail, event) for each event `type`; returns the function that removes it. */
  on<K extends keyof Events & string>(type: K, fn: (detail: Events[K], event: PigeonHubEvent<Events[K]>) => void): () => void;
}

export const DIRECTORY_DEFAULTS: Readonly<{ refreshMs: number; timeoutMs: number; maxHubs: number }>;
export interface HubDirectoryEvents {
  change: { hubs: Hub[] };
  error: { error: Error };
}
export class HubDirectory extends Emitter<HubDirectoryEvents> {
  constructor(options: { seeds: string[]; region?: string; fetch?: typeof fetch; verifyDocuments?: boolean;
    refreshMs?: number; timeoutMs?: number; maxHubs?: number });
  readonly region: string;
  /** Resolves after the first refresh (the seeds are the list if no hub answered). */
  readonly ready: Promise<Hub[]>;
  hubs(options?: { downUntil?: Map<string, number> }): Hub[];
  urls(): string[];
  refresh(): Promise<Hub[]>;
  close(): void;
}

// ---- signaling ----
/** A message from the hub, as received (PROTOCOL.md). */
export interface HubMessage {
  type: string;
  data?: any;
  fromPeerId?: string;
  targetPeerId?: string;
  networkName?: string;
  timestamp?: number;
  error?: string;
  [key: string]: unknown;
}
export interface SignalingEvents {
  connected: { hub: string };
  'hub-changed': { from: string | null; to: string };
  disconnected: { hub: string; code: number; reason: string };
  reconnecting: { attempt: number; delayMs: number; hub: string | null };
  message: HubMessage;
  'peer-discovered': HubMessage;
  'peer-disconnected': HubMessage;
  offer: HubMessage;
  answer: HubMessage;
  'ice-candidate': HubMessage;
  'connection-rejected': HubMessage;
  'renegotiation-offer': HubMessage;
  'renegotiation-answer': HubMessage;
  goodbye: HubMessage;
  pong: HubMessage;
  /** A hub `error` message ({type: 'error', error}) or a client-side failure ({error: Error}). */
  error: HubMessage | { error: Error };
}
export const SIGNALING_DEFAULTS: Readonly<{ queueLimit: number; connectTimeoutMs: number; downMs: number;
  pingIntervalMs: number; pingTimeoutMs: number; holdForTargetMs: number }>;
export interface SignalingOptions {
  peerId?: string;
  hubs: Array<string | Hub> | HubDirectory;
  networkName?: string;
  data?: Record<string, unknown>;
  maxPeers?: number;
  region?: string;
  backoff?: BackoffPolicy;
  /** A WebSocket class; default: globalThis.WebSocket, else the `ws` package. */
  WebSocket?: unknown;
  /** Extra query parameters of the WebSocket URL (token, password for protected namespaces). */
  params?: Record<string, string>;
  queueLimit?: number;
  connectTimeoutMs?: number;
  downMs?: number;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** After a reconnect, how long a queued signal waits for its target's peer-discovered (3000). */
  holdForTargetMs?: number;
}
export class QueueFullError extends Error {
  readonly limit: number;
}
export class SignalingClient extends Emitter<SignalingEvents> {
  constructor(options: SignalingOptions);
  readonly peerId: string;
  networkName: string;
  data: Record<string, unknown>;
  maxPeers?: number;
  /** The URL of the hub in use; null while none is. */
  readonly hub: string | null;
  readonly connected: boolean;
  readonly queued: number;
  /** Resolves at the first connection; rejects if close() comes first. */
  readonly ready: Promise<{ hub: string }>;
  /** 'sent', or 'queued' while no hub is connected or earlier signals for the same target wait. Throws
   *  QueueFullError, or an Error after close(). */
  send(message: { type: string; [key: string]: unknown }): 'sent' | 'queued';
  announce(options?: { networkName?: string; data?: Record<string, unknown> }): void;
  close(): void;
  start(): this;
}
export function connectSignaling(options: SignalingOptions): SignalingClient;

// ---- data ----
export interface KeyPair { publicKey: string; privateKey: string }
export interface DataRecord {
  topic: string;
  data: unknown;
  publicKey: string;
  signature: string;
  seq: number;
  expires: number;
  published?: number;
  verified?: boolean;
}
export const DEFAULT_TTL_S: 300;
export class HubHttpError extends Error {
  readonly status: number;
  readonly body: unknown;
}
export function publish(hub: string, topic: string, data: unknown,
  options?: { ttl?: number; keyPair?: KeyPair; seq?: number; fetch?: typeof fetch }): Promise<DataRecord>;
export function find(hub: string, topic: string, options?: { verify?: boolean; fetch?: typeof fetch }): Promise<DataRecord[]>;
export function signRecord(topic: string, data: unknown,
  options: { ttl?: number; keyPair: KeyPair; seq?: number; now?: number }): Promise<DataRecord>;
export function verifyRecord(record: unknown): Promise<boolean>;
export class CanonicalJsonError extends Error {}
export function canonicalJson(value: unknown): string;
export function recordMessage(topic: string, seq: number, expires: number, data: unknown): string;
export function bootstrapDocumentMessage(document: Record<string, unknown>): string;
export function generateKeyPair(): Promise<KeyPair>;
export function signText(keyPair: KeyPair, text: string): Promise<string>;
export function verifyText(publicKeyHex: string, text: string, signatureHex: string): Promise<boolean>;
export function ed25519Backend(): Promise<'webcrypto' | 'node:crypto'>;

// ---- PeerPigeon apps ----
export function redirectTarget(requested: string, hubs: Hub[],
  options?: { region?: string; downUntil?: Map<string, number>; now?: number }): string;
export function installFailoverWebSocket(options: { hubs: string[] | HubDirectory; region?: string; downMs?: number;
  WebSocket?: unknown }): Promise<{ WebSocket: unknown; downUntil: Map<string, number>; uninstall(): void }>;
