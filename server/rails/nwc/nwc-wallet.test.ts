import './websocket-global';
import { Nip47NetworkError, Nip47ReplyTimeoutError, Nip47ResponseValidationError, Nip47WalletError } from '@getalby/sdk/nwc';
import type { NWCClient } from '@getalby/sdk/nwc';
import { describe, expect, it } from 'vitest';
import { NwcWallet } from './nwc-wallet';

// The live wallet paths are covered in server/integration/rails-nwc.test.ts; these pin the mapping of
// answers the sandbox wallet never gives.
function walletAnswering(answer: () => Promise<unknown>): NwcWallet {
  const client = { payInvoice: answer, getBudget: answer, getInfo: answer, lookupInvoice: answer, close: () => undefined };
  return new NwcWallet(client as unknown as NWCClient, { payMs: 200, otherMs: 200 });
}
const rejecting = (error: Error) => () => Promise.reject(error);

describe('NwcWallet answer mapping', () => {
  it('a wallet without get_budget is "unsupported", not an error', async () => {
    const wallet = walletAnswering(rejecting(new Nip47WalletError('nope', 'NOT_IMPLEMENTED')));
    expect(await wallet.getBudget()).toEqual({ ok: true, value: { kind: 'unsupported' } });
  });

  it.each([
    [new Nip47WalletError('x', 'INTERNAL'), { status: 'unknown', reason: 'ambiguous_wallet_error' }],
    [new Nip47WalletError('x', 'SOMETHING_NEW'), { status: 'unknown', reason: 'ambiguous_wallet_error' }],
    [new Nip47WalletError('x', 'RATE_LIMITED'), { status: 'failed', reason: 'rate_limited' }],
    [new Nip47WalletError('x', 'RESTRICTED'), { status: 'failed', reason: 'restricted' }],
    [new Nip47ReplyTimeoutError('x', 'INTERNAL'), { status: 'unknown', reason: 'reply_timeout' }],
    [new Nip47NetworkError('x', 'OTHER'), { status: 'unknown', reason: 'wallet_unreachable' }],
    [new Nip47ResponseValidationError('x', 'INTERNAL'), { status: 'unknown', reason: 'invalid_response' }],
  ])('pay_invoice: %s', async (error, expected) => {
    expect(await walletAnswering(rejecting(error)).payInvoice('lnbcrt1')).toMatchObject(expected);
  });

  it('our own timer reports unknown/reply_timeout when the sdk never settles', async () => {
    const wallet = walletAnswering(() => new Promise(() => undefined));
    expect(await wallet.payInvoice('lnbcrt1')).toMatchObject({ status: 'unknown', reason: 'reply_timeout' });
    expect(await wallet.getInfo()).toMatchObject({ ok: false, outcome: 'unknown', reason: 'reply_timeout' });
  });

  it('a reply of the wrong shape is unknown/invalid_response; an unknown network is null', async () => {
    expect(await walletAnswering(async () => ({ type: 'x' })).lookupInvoice({ paymentHashHex: 'ab'.repeat(32) })).toMatchObject({
      ok: false,
      outcome: 'unknown',
      reason: 'invalid_response',
    });
    expect(await walletAnswering(async () => ({ network: 'bitcoin' })).getInfo()).toMatchObject({ ok: true, value: { network: 'mainnet' } });
    expect(await walletAnswering(async () => ({ network: 'liquid' })).getInfo()).toMatchObject({ ok: true, value: { network: null } });
  });
});
