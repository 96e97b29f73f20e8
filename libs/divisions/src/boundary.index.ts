import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DATA_DIR } from './division-index';

/**
 * Point-in-polygon lookup of the county containing a coordinate, over the compact boundary file
 * (data/county-boundaries.json.gz, built by scripts/dev/divisions-build-boundaries.ts).
 * A uniform grid of 0.25° cells lists the counties whose ring boxes touch each cell; a lookup tests only
 * those, box first, then even-odd ray casting over the county's rings.
 */

interface BoundaryFile {
  version: string;
  scale: number;
  counties: { code: string; rings: number[][] }[];
}

interface CountyShape {
  code: string;
  /** Absolute quantized coordinates per ring: x0,y0,x1,y1,… (closed implicitly). */
  rings: Int32Array[];
  ringBoxes: Int32Array; // per ring: minX,minY,maxX,maxY
  box: [number, number, number, number];
}

const CELL = 0.25;

export class BoundaryIndex {
  private readonly shapes: CountyShape[];
  private readonly grid = new Map<number, number[]>();
  private readonly scale: number;
  readonly version: string;

  constructor(file: BoundaryFile) {
    this.scale = file.scale;
    this.version = file.version;
    this.shapes = file.counties.map((c) => decodeShape(c.code, c.rings));
    this.shapes.forEach((shape, i) => {
      const [minX, minY, maxX, maxY] = shape.box.map((v) => v / this.scale);
      for (let gx = Math.floor(minX / CELL); gx <= Math.floor(maxX / CELL); gx++) {
        for (let gy = Math.floor(minY / CELL); gy <= Math.floor(maxY / CELL); gy++) {
          const key = gx * 100000 + gy;
          const list = this.grid.get(key);
          if (list) list.push(i);
          else this.grid.set(key, [i]);
        }
      }
    });
  }

  get size(): number {
    return this.shapes.length;
  }

  /** The current county code containing (lat, lng), or null outside every county. */
  countyAt(lat: number, lng: number): string | null {
    if (!Number.isFinite(lat) || !Number.isFinite(lng)) return null;
    const list = this.grid.get(Math.floor(lng / CELL) * 100000 + Math.floor(lat / CELL));
    if (!list) return null;
    const x = lng * this.scale;
    const y = lat * this.scale;
    for (const i of list) {
      const s = this.shapes[i];
      if (x < s.box[0] || x > s.box[2] || y < s.box[1] || y > s.box[3]) continue;
      if (inside(s, x, y)) return s.code;
    }
    return null;
  }
}

function decodeShape(code: string, packed: number[][]): CountyShape {
  const rings: Int32Array[] = [];
  const ringBoxes = new Int32Array(packed.length * 4);
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  packed.forEach((flat, r) => {
    const ring = new Int32Array(flat.length);
    let x = 0;
    let y = 0;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < flat.length; i += 2) {
      x += flat[i];
      y += flat[i + 1];
      ring[i] = x;
      ring[i + 1] = y;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    rings.push(ring);
    ringBoxes.set([minX, minY, maxX, maxY], r * 4);
    box[0] = Math.min(box[0], minX);
    box[1] = Math.min(box[1], minY);
    box[2] = Math.max(box[2], maxX);
    box[3] = Math.max(box[3], maxY);
  });
  return { code, rings, ringBoxes, box };
}

/** Even-odd rule over all rings: holes and the parts of a multipolygon need no bookkeeping. */
function inside(shape: CountyShape, x: number, y: number): boolean {
  let odd = false;
  for (let r = 0; r < shape.rings.length; r++) {
    const b = r * 4;
    if (x < shape.ringBoxes[b] || x > shape.ringBoxes[b + 2] || y < shape.ringBoxes[b + 1] || y > shape.ringBoxes[b + 3]) continue;
    const ring = shape.rings[r];
    const n = ring.length;
    for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
      const yi = ring[i + 1];
      const yj = ring[j + 1];
      if (yi > y !== yj > y) {
        const xi = ring[i];
        const xj = ring[j];
        if (x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) odd = !odd;
      }
    }
  }
  return odd;
}

export const BOUNDARY_FILE = path.join(DATA_DIR, 'county-boundaries.json.gz');

export function loadBoundaryIndex(file = BOUNDARY_FILE): BoundaryIndex {
  return new BoundaryIndex(JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as BoundaryFile);
}

let singleton: BoundaryIndex | null = null;

/** The shared boundary index, loaded on first use. */
export function getBoundaryIndex(): BoundaryIndex {
  if (!singleton) singleton = loadBoundaryIndex();
  return singleton;
}
