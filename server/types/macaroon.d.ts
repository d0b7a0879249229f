// Types for the untyped `macaroon` npm package (3.0.4), limited to what the market uses.
declare module 'macaroon' {
  export interface Caveat {
    identifier: Uint8Array;
    location?: string;
  }
  export interface Macaroon {
    readonly identifier: Uint8Array;
    readonly location: string;
    readonly caveats: Caveat[];
    readonly signature: Uint8Array;
    addFirstPartyCaveat(caveatId: string | Uint8Array): void;
    exportBinary(): Uint8Array;
    /** Throws when the signature or a caveat does not verify; `check` returns an error string or null. */
    verify(rootKey: Uint8Array, check: (condition: string) => string | null, discharges?: Macaroon[]): void;
  }
  export function newMacaroon(params: {
    identifier: string | Uint8Array;
    location?: string;
    rootKey: string | Uint8Array;
    version?: 1 | 2;
  }): Macaroon;
  export function importMacaroons(obj: string | Uint8Array): Macaroon[];
}
