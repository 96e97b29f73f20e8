import { defaultStages, type Stages } from '@huiliu/pipeline';
import type { AppConfig } from '@huiliu/platform';

/** The judging stages with the deployment's rule tables when configured (read once per process). */
export function stagesFor(config: AppConfig): Stages {
  return defaultStages({ validity: config.RULES_VALIDITY_FILE, category: config.RULES_CATEGORY_FILE, referral: config.RULES_REFERRAL_FILE, basins: config.BASINS_FILE });
}
