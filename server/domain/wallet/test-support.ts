// A spending wallet for tests of the Wallet page: get_info and get_balance answer what the test set.
import { createHash } from 'node:crypto';
import { msat, type Msat } from '../../../shared/money';
import type { WalletInfo, WalletPort, WalletResult, WalletTransaction } from '../ports/wallet';

export const FAKE_WALLET_INFO: WalletInfo = {
  alias: 'sandbox user',
  network: 'regtest',
  networkReported: 'regtest',
  pubkeyHex: '02ab',
  blockHeight: 1,
  methods: ['pay_invoice', 'get_balance'],
};

export const balanceOfSats = (sats: number): WalletResult<{ balanceMsat: Msat }> => ({ ok: true, value: { balanceMsat: msat(sats * 1000) } });

/** Anything but get_info and get_balance throws: the Wallet page must not move money. */
export function fakeReadOnlyWallet(answers: {
  info?: WalletResult<WalletInfo>;
  balance: WalletResult<{ balanceMsat: Msat }>;
}): WalletPort {
  const unused = async (): Promise<never> => {
    throw new Error('the wallet page only reads info and balance');
  };
  return {
    getInfo: async () => answers.info ?? { ok: true, value: FAKE_WALLET_INFO },
    getBalance: async () => answers.balance,
    getBudget: unused,
    payInvoice: unused,
    makeInvoice: unused,
    lookupInvoice: unused,
    listTransactions: unused,
    close() {},
  };
}

/** What make_invoice answers for an unpaid invoice of `sats`, as a wallet reports it. */
export function invoiceMadeFor(invoice: string, sats: number, nowSec = Math.floor(Date.now() / 1000)): WalletTransaction {
  return {
    direction: 'incoming',
    state: 'pending',
    invoice,
    paymentHashHex: createHash('sha256').update(invoice).digest('hex'),
    preimageHex: null,
    amountMsat: msat(sats * 1000),
    feesPaidMsat: msat(0),
    description: 'test',
    createdAtSec: nowSec,
    expiresAtSec: nowSec + 900,
    settledAtSec: null,
  };
}
