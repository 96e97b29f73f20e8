import { DEFAULT_MATCH_CONFIG, defaultStages, type MatchConfig, type Stages } from '@huiliu/pipeline';
import type { AppConfig } from '@huiliu/platform';

/** The judging stages with the deployment's rule tables when configured (read once per process). */
export function stagesFor(config: AppConfig): Stages {
  return defaultStages({ validity: config.RULES_VALIDITY_FILE, category: config.RULES_CATEGORY_FILE, referral: config.RULES_REFERRAL_FILE, categoryModel: config.RULES_CATEGORY_MODEL_FILE, validityModel: config.RULES_VALIDITY_MODEL_FILE, basins: config.BASINS_FILE });
}

/** The dedup stage's settings from the environment: the matching window and thresholds, the complainant-key secret. */
export function dedupSettingsFor(config: AppConfig): { match: MatchConfig; pepper: string } {
  return {
    match: {
      ...DEFAULT_MATCH_CONFIG,
      windowDays: config.DEDUP_WINDOW_DAYS,
      autoThreshold: config.DEDUP_AUTO_THRESHOLD,
      suggestThreshold: config.DEDUP_SUGGEST_THRESHOLD,
      soleCase: config.DEDUP_SOLE_CASE,
    },
    pepper: config.COMPLAINANT_KEY_SECRET,
  };
}
