/**
 * Plain text tables: a header row and left-aligned columns padded to their
 * widest cell (colour codes do not count towards the width). Columns marked
 * `right` are right-aligned (numbers, durations).
 */
import { paint, visibleLength } from './output.js';

export interface Column {
  header: string;
  right?: boolean;
}

export function renderTable(columns: Column[], rows: string[][]): string {
  const widths = columns.map((column, i) => Math.max(column.header.length, ...rows.map((row) => visibleLength(row[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(Math.max(0, widths[i]! - visibleLength(cell)));
        return columns[i]?.right ? pad + cell : i === cells.length - 1 ? cell : cell + pad;
      })
      .join('  ');
  const header = paint('bold', line(columns.map((column) => column.header)));
  return [header, ...rows.map(line)].join('\n');
}
