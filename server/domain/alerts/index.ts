// Alerts' public surface: everything other modules may use.
export { createAlertService, type AlertListener, type AlertService } from './alert-service';
export { notifyBudgetThresholds } from './budget-alerts';
export type { AlertData, AlertInput, AlertKind, AlertSeverity, StoredAlert } from './types';
