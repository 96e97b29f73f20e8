/**
 * Division blocks: which stored cases a submission is compared with. Keys are stored per case and probed
 * per submission as exact index lookups (never a scan): `<category>|<block>|<key>`.
 *
 * A county-level submission is compared with its county and with the city- and province-level
 * submissions above it (the reporter named only the city); a city-level one with everything inside its
 * city; a submission without a division with every block of its category, by its strongest keys only.
 */

export type DivisionLevelOfCode = 'county' | 'city' | 'province';

export function divisionLevelOf(code: string): DivisionLevelOfCode {
  if (!/^\d{6}$/.test(code)) throw new Error(`not a GB/T 2260 code: ${code}`);
  if (code.endsWith('0000')) return 'province';
  if (code.endsWith('00')) return 'city';
  return 'county';
}

function ancestorsOf(code: string): string[] {
  const level = divisionLevelOf(code);
  if (level === 'county') return [`${code.slice(0, 4)}00`, `${code.slice(0, 2)}0000`];
  if (level === 'city') return [`${code.slice(0, 2)}0000`];
  return [];
}

export type DivisionCompatibility = 'same' | 'within_city' | 'within_province' | 'unknown' | 'conflict';

/**
 * Same county; or one side known only to the city (province) level that contains the other; or unknown.
 * Two different counties, or two different cities, are never one incident.
 */
export function divisionCompatibility(a: string | null | undefined, b: string | null | undefined): DivisionCompatibility {
  if (!a || !b) return 'unknown';
  if (a === b) return 'same';
  const la = divisionLevelOf(a);
  const lb = divisionLevelOf(b);
  if (la === lb) return 'conflict';
  const [outer, inner] = RANK[la] > RANK[lb] ? [a, b] : [b, a];
  if (!ancestorsOf(inner).includes(outer)) return 'conflict';
  return divisionLevelOf(outer) === 'city' ? 'within_city' : 'within_province';
}

const RANK: Record<DivisionLevelOfCode, number> = { county: 0, city: 1, province: 2 };

const ANYWHERE = '*';
const UNKNOWN = '=none';

/** Blocks a case's keys are stored under. */
export function storeBlocks(divisionCode: string | null | undefined, category: string): string[] {
  if (!divisionCode) return [`${category}|${UNKNOWN}`, `${category}|${ANYWHERE}`];
  return [
    `${category}|=${divisionCode}`,
    ...ancestorsOf(divisionCode).map((a) => `${category}|<${a}`),
    `${category}|${ANYWHERE}`,
  ];
}

/** Blocks a submission's keys are probed in; pairs with storeBlocks so every compatible case is reachable. */
export function probeBlocks(divisionCode: string | null | undefined, category: string): string[] {
  if (!divisionCode) return [`${category}|${ANYWHERE}`];
  const level = divisionLevelOf(divisionCode);
  return [
    `${category}|=${divisionCode}`,
    ...ancestorsOf(divisionCode).map((a) => `${category}|=${a}`),
    ...(level === 'county' ? [] : [`${category}|<${divisionCode}`]),
    `${category}|${UNKNOWN}`,
  ];
}

/**
 * The division of a case after a submission joins it: the more specific of the two when they are
 * compatible, or 'conflict' when the submission cannot join (checked against the case, not just the one
 * member it resembles, so a submission without a division never bridges two counties).
 */
export function refineCaseDivision(caseDivision: string | null, submissionDivision: string | null): string | null | 'conflict' {
  const compat = divisionCompatibility(caseDivision, submissionDivision);
  if (compat === 'conflict') return 'conflict';
  if (!caseDivision) return submissionDivision;
  if (!submissionDivision) return caseDivision;
  return RANK[divisionLevelOf(caseDivision)] <= RANK[divisionLevelOf(submissionDivision)] ? caseDivision : submissionDivision;
}
