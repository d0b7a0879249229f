export { SandboxWallets, type SandboxWalletsOptions } from './wallet-service';
export { SUPPORTED_METHODS } from './request-handler';
