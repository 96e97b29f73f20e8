import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATA_DIR } from './division-index';

/**
 * The river-basin / sea-area bureau of a division, from data/basins.json: the most specific key wins
 * (city xxxx over province xx). Marine cases look up the sea table first.
 */

export interface BasinTable {
  version: string;
  bureaus: string[];
  basin: Record<string, string>;
  sea: Record<string, string>;
}

let table: BasinTable | null = null;

export function loadBasinTable(file = path.join(DATA_DIR, 'basins.json')): BasinTable {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as BasinTable;
}

function getTable(): BasinTable {
  if (!table) table = loadBasinTable();
  return table;
}

export const BASIN_TABLE_NAME = 'basins.json';

export function basinTableVersion(): string {
  return `${BASIN_TABLE_NAME}@${getTable().version}`;
}

/**
 * The bureau for a 6-digit division code, or null for an unknown code. `kind` 'marine' uses the sea-area
 * table of coastal provinces and falls back to the basin table inland.
 */
export function basinOf(code: string, kind: 'water' | 'marine' = 'water', basins: BasinTable = getTable()): string | null {
  if (!/^\d{6}(\d{3})?$/.test(code)) return null;
  if (kind === 'marine') {
    const sea = basins.sea[code.slice(0, 2)];
    if (sea) return sea;
  }
  return basins.basin[code.slice(0, 4)] ?? basins.basin[code.slice(0, 2)] ?? null;
}
