// An instance that dies mid-item, for reconciler.instances.test.ts: it reconciles the shared database's
// unresolved payments with a wallet that never answers, says which payment it is looking up (its lease
// is held then), and waits there until the test SIGKILLs it. Args: dbPath leaseTtlMs.
import type { WalletPort } from '../ports/wallet';
import { openInstance } from './instance-support';

const [dbPath, leaseTtlMs] = process.argv.slice(2);
if (!dbPath || !leaseTtlMs) throw new Error('usage: dbPath leaseTtlMs');

const unused = async (): Promise<never> => {
  throw new Error('not used by the reconciler');
};
const silentWallet: WalletPort = {
  getInfo: unused,
  getBalance: unused,
  getBudget: unused,
  makeInvoice: unused,
  listTransactions: unused,
  payInvoice: unused,
  lookupInvoice(request) {
    process.stdout.write(`looking up ${'paymentHashHex' in request ? request.paymentHashHex : ''}\n`);
    return new Promise(() => undefined);
  },
  close() {},
};

// A pending promise does not keep a process alive; a live instance's timers do.
setInterval(() => undefined, 60_000);
const instance = openInstance({ dbPath, holderId: 'worker', wallet: silentWallet, now: Date.now, leaseTtlMs: Number(leaseTtlMs) });
await instance.reconciler.reconcileOnce();
