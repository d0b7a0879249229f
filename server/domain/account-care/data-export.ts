/**
 * "Export all my data": every row of every table that holds the person's data (the table list comes
 * from the schema: db/repositories/data-export-repository.ts), secrets and their hashes redacted.
 * JSON keeps each table's rows as stored; CSV puts every value on its own line (table, row, column,
 * value), so one file holds tables of different shapes and any spreadsheet opens it.
 */
import { csvText } from '../wallet/movements-csv';
import type { ExportRow } from '../../db/repositories/data-export-repository';

export type DataExportFormat = 'json' | 'csv';

export interface DataExport {
  filename: string;
  contentType: string;
  body: string;
}

function dateStamp(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function exportCsv(tables: Record<string, ExportRow[]>): string {
  const lines = ['table,row,column,value'];
  for (const [table, rows] of Object.entries(tables)) {
    rows.forEach((row, index) => {
      for (const [column, value] of Object.entries(row)) lines.push([table, String(index + 1), column, csvText(cellText(value))].join(','));
    });
  }
  return lines.join('\r\n') + '\r\n';
}

export function buildDataExport(input: { userId: string; tables: Record<string, ExportRow[]>; format: DataExportFormat; nowMs: number }): DataExport {
  const stem = `steward-data-${dateStamp(input.nowMs)}`;
  if (input.format === 'csv') return { filename: `${stem}.csv`, contentType: 'text/csv;charset=utf-8', body: exportCsv(input.tables) };
  const document = { exportedAt: new Date(input.nowMs).toISOString(), userId: input.userId, tables: input.tables };
  return { filename: `${stem}.json`, contentType: 'application/json', body: JSON.stringify(document, null, 2) };
}
