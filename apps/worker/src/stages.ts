import { defaultStages, type Stages } from '@huiliu/pipeline';

/** The real stages, loaded once per process (rule tables and division data are read at first use). */
export function createStages(): Stages {
  return defaultStages();
}
