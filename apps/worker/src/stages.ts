import { basinOf, locate } from '@huiliu/divisions';
import { classify, validate, type Stages } from '@huiliu/pipeline';

/** The real stages, loaded once per process (rule tables and division data are read at first use). */
export function createStages(): Stages {
  return {
    validate: (input) => validate(input),
    locate: (input) => locate(input),
    classify: (input) => classify(input),
    basinOf: (code) => basinOf(code),
  };
}
