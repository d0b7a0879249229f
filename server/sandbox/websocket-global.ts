import WebSocket from 'ws';

/**
 * Node 20 has no global WebSocket, and @getalby/sdk (through nostr-tools) reads it when it loads.
 * Import this module before `@getalby/sdk` anywhere in the sandbox (its wallet service, tests); the
 * app's NWC rail has its own (rails and sandbox may not import each other). Harmless where a global exists.
 */
globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;
