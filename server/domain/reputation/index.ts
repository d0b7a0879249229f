// The reputation domain's public surface.
export { createReputation, type Reputation } from './reputation';
