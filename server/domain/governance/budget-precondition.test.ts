import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { msat } from '../../../shared/money';
import type { JsonObject } from '../ledger';
import { budgetReservationMetadata, requestAttribution, reservationAttribution } from './budget-precondition';

// Values a field may hold in metadata written by anyone: the right type, the wrong one, or absent.
const fieldValue = fc.oneof(
  fc.string(),
  fc.integer({ min: -1_000_000, max: 1_000_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constant(Number.MAX_SAFE_INTEGER + 2),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
);
const metadata: fc.Arbitrary<JsonObject> = fc.record(
  { serviceId: fieldValue, taskId: fieldValue, feeReserveMsat: fieldValue, paymentId: fc.string(), other: fieldValue },
  { requiredKeys: [] },
);

describe('reading a reservation’s attribution', () => {
  it('reads the metadata of a reservation being made exactly as it reads the same metadata stored', () => {
    fc.assert(
      fc.property(fc.option(metadata, { nil: null }), fc.integer({ min: 1, max: 10_000_000 }), (meta, amount) => {
        // Stored, it is read back from its JSON text, as the scans and resolutions read it.
        const stored: unknown = meta === null ? null : JSON.parse(JSON.stringify(meta));
        expect(requestAttribution(meta, msat(amount))).toEqual(reservationAttribution(stored, msat(amount)));
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads back what governance wrote, the fee allowance never above the hold', () => {
    const written = { ...budgetReservationMetadata({ serviceId: 'jokes', taskId: 'task-1', feeReserveMsat: msat(30) }), paymentId: 'p-1' };
    expect(requestAttribution(written, msat(1_000))).toEqual({ serviceId: 'jokes', taskId: 'task-1', feeReserveMsat: 30 });
    expect(requestAttribution(written, msat(20))).toEqual({ serviceId: 'jokes', taskId: 'task-1', feeReserveMsat: 20 });
  });

  it('reads each field on its own: a missing one leaves the others as written', () => {
    // Stored without a task id (written by hand, or by older code): still the service's spend.
    expect(reservationAttribution({ serviceId: 'jokes', feeReserveMsat: 30 }, msat(1_000))).toEqual({ serviceId: 'jokes', taskId: null, feeReserveMsat: 30 });
    expect(reservationAttribution({ taskId: 'task-1' }, msat(1_000))).toEqual({ serviceId: null, taskId: 'task-1', feeReserveMsat: 0 });
  });

  it("reads an empty id as none, in both readings: '' is a window's own row in governance_window_usage", () => {
    const meta = { serviceId: '', taskId: '', feeReserveMsat: 10 };
    expect(reservationAttribution(meta, msat(1_000))).toEqual({ serviceId: null, taskId: null, feeReserveMsat: 10 });
    expect(requestAttribution(meta, msat(1_000))).toEqual({ serviceId: null, taskId: null, feeReserveMsat: 10 });
  });

  it('counts metadata without governance’s fields in the month only, with no fee allowance', () => {
    for (const meta of [null, {}, { serviceId: 7, taskId: ['x'], feeReserveMsat: -5 }, { feeReserveMsat: 1.5 }]) {
      expect(requestAttribution(meta, msat(1_000))).toEqual({ serviceId: null, taskId: null, feeReserveMsat: 0 });
    }
  });
});
