import type { DisplayCurrency, UserRole } from '../../../shared/accounts';

/** Where a request came from; stored with sessions and audit events so people recognise them. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export interface PublicUser {
  id: string;
  email: string;
  role: UserRole;
  timeZone: string;
  displayCurrency: DisplayCurrency;
  twoFactorEnabled: boolean;
}

export type Clock = () => Date;

/** Expected refusals are values; the API maps each name to a status in one place (server/api/errors.ts). */
export type Refused<R extends string, Extra = object> = { ok: false; reason: R } & Extra;
export type Result<T, R extends string, Extra = object> = ({ ok: true } & T) | Refused<R, Extra>;
