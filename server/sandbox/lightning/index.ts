export { LightningNetwork, DEFAULT_ROUTING_FEES, type LightningNetworkOptions } from './network';
export { LightningNode } from './node';
export { decodeRegtestInvoice } from './invoice-codec';
export type * from './types';
