import WebSocket from 'ws';

/**
 * Node 20 has no global WebSocket, and @getalby/sdk (through nostr-tools) reads it when it loads.
 * Import this module before `@getalby/sdk` anywhere on the server (the sandbox's wallet service,
 * the app's NWC rail, tests). Harmless where a global already exists.
 */
globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;
