import { basinOf, locate } from '@huiliu/divisions';
import { classify } from '../classify';
import { validate } from '../validate';
import type { Stages } from './judge';

/** The shipped stages with their bundled rule tables and division data (loaded on first use). */
export function defaultStages(): Stages {
  return {
    validate: (input) => validate(input),
    locate: (input) => locate(input),
    classify: (input) => classify(input),
    basinOf: (code) => basinOf(code),
  };
}
