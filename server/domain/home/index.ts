// The Home page's domain: first-run checklist and the month's spending.
export { checklistFor, markOutcome, type Checklist, type ChecklistStep, type OnboardingFacts } from './checklist';
export { createHome, type Home } from './home-service';
export { localDay, monthSpending, type MonthSpending, type PaidPurchase } from './month-spending';
