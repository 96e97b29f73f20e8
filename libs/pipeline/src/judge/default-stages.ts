import { basinOf, loadBasinTable } from '@huiliu/divisions';
import { locate } from '@huiliu/divisions';
import { classify } from '../classify';
import { DEFAULT_RULE_SET, loadRuleSet, validate } from '../validate';
import type { Stages } from './judge';

/** Where a deployment keeps its own rule tables; each unset path uses the bundled table. */
export interface RuleFiles {
  validity?: string;
  category?: string;
  referral?: string;
  /** The text models' tables; `none` turns a model off. */
  categoryModel?: string;
  validityModel?: string;
  basins?: string;
}

/**
 * The stages with the bundled rule tables and division data, or a deployment's own tables (referrals and
 * basin mappings differ by city). A bad table stops start-up with the file and field named.
 */
export function defaultStages(files: RuleFiles = {}): Stages {
  const { basins: _basins, ...tables } = files;
  const rules = Object.values(tables).some(Boolean) ? loadRuleSet(tables) : DEFAULT_RULE_SET;
  const basins = files.basins ? loadBasinTable(files.basins) : undefined;
  return {
    validate: (input) => validate(input, rules),
    locate: (input) => locate(input),
    classify: (input) => classify(input, rules),
    basinOf: (code, kind) => basinOf(code, kind, basins),
  };
}
