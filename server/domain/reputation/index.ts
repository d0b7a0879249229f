// The reputation domain's public surface.
export { createReputation, type Reputation } from './reputation';
export { createStanding, passesPauseThreshold, type Standing } from './standing';
export { createProviderNames, type ProviderNameOf, type ProviderNames } from './provider-names';
