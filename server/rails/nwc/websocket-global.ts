import WebSocket from 'ws';

/**
 * Node 20 has no global WebSocket and @getalby/sdk (through nostr-tools) reads it when it loads, so
 * this module must be imported before the sdk. The sandbox has its own copy because the rails and
 * the sandbox may not import each other. Harmless where a global already exists (Node 22+).
 */
globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;
