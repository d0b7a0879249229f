export { createActivity, type Activity, type ActivityRow } from './activity';
export { activityCsv } from './activity-csv';
