/**
 * Shapes of the judging rule tables (libs/pipeline/rules/*.rules.json). Tables are data a deployment may
 * replace; they are checked here once when loaded so a broken table stops start-up with a clear message.
 */
import { z } from 'zod';
import { CATEGORIES } from '@huiliu/contracts';

/** term → weight. Terms are written in simplified, half-width form; the loader normalises them anyway. */
const WeightedTerms = z.record(z.string().min(1), z.number().positive());
const TermList = z.array(z.string().min(1));
const Version = z.string().min(1);

export const OUT_OF_SCOPE_TOPICS = ['labour', 'traffic', 'property', 'neighbour', 'consumer', 'discipline', 'other_gov'] as const;
export type OutOfScopeTopic = (typeof OUT_OF_SCOPE_TOPICS)[number];
const Topic = z.enum(OUT_OF_SCOPE_TOPICS);

export const RejectionRuleSchema = z.object({
  /** The rejection reason an officer sees (spam, greeting, test_submission, …). */
  reason: z.string().min(1),
  /**
   * `any`: the terms' weights reach `threshold` somewhere in the text.
   * `only`: the text holds nothing but these terms (plus the table's filler words).
   */
  mode: z.enum(['any', 'only']),
  terms: WeightedTerms,
  threshold: z.number().positive().default(1),
  /** When true the rule rejects even a text that also reads like a complaint (a bounce quoting one). */
  force: z.boolean().default(false),
});
export type RejectionRule = z.infer<typeof RejectionRuleSchema>;

export const ScopeTopicSchema = z.object({
  topic: Topic,
  /** Key into the referral table; defaults to the topic. */
  referral: z.string().min(1).optional(),
  terms: WeightedTerms,
});

export const ValidityRulesSchema = z.object({
  name: z.literal('validity'),
  version: Version,
  negation: z.object({
    /** Words that negate a term that follows within `window` characters of the same clause. */
    cues: TermList,
    window: z.number().int().nonnegative(),
  }),
  /** Politeness and salutation words that do not make a text a complaint on their own. */
  filler: TermList,
  rejections: z.array(RejectionRuleSchema),
  /** Matters of other departments, by topic. */
  scope: z.record(z.string().min(1), ScopeTopicSchema),
  /** Noise is ours when it comes from a business; from street life or traffic it goes elsewhere. */
  noiseSources: z.object({
    business: WeightedTerms,
    street: z.record(z.string().min(1), ScopeTopicSchema),
  }),
  litigation: z.object({ flag: z.string().min(1), terms: TermList }),
  /** Declared categories (污染类型) meaning "not an environmental matter" (非环保类). */
  declaredOutOfScope: TermList,
  /** Words naming a place (suffixes such as 路, 镇, 村): without any, an accepted complaint is flagged vague_location. */
  placeMarkers: TermList,
  /** Words that contain a place marker without naming a place (市民, 城市): they cancel the marker. */
  notPlace: TermList,
  thresholds: z.object({
    /** Environmental evidence at or above which `any` rejections and out-of-scope topics no longer apply alone. */
    environment: z.number().positive(),
    /** A topic needs at least this weight to send a complaint to another department. */
    topic: z.number().positive(),
    /** Meaningful characters an `only` rule may leave uncovered. */
    onlyRest: z.number().int().nonnegative(),
    /**
     * How sure the validity model (validity.model.json) must be to decide a text no rule recognised: the
     * natural log of how much likelier it finds its reading than the next. Below it, or unset, such a text
     * is kept for an officer.
     */
    modelDecidesUnrecognised: z.number().nonnegative().optional(),
    /**
     * How much likelier (natural log) the validity model must find another department's topic than a
     * complaint to refer a text the tables accepted: a blocked drain inside a compound names 污水 and 臭 as a
     * factory's outfall does. A text that reports a discharge (偷排, 直排) is never referred so. Unset: never.
     */
    modelRefersAccepted: z.number().nonnegative().optional(),
  }),
});
export type ValidityRules = z.infer<typeof ValidityRulesSchema>;

const Category = z.enum(CATEGORIES);

export const CategoryRulesSchema = z.object({
  name: z.literal('category'),
  version: Version,
  categories: z.record(Category, WeightedTerms),
  /** Environmental words that name no category (污染, 偷排): evidence for validity only. */
  general: WeightedTerms,
  /** Declared category labels (污染类型, pollution_type) → category, with the weight the clue adds. */
  declared: z.record(z.string().min(1), z.object({ category: Category, weight: z.number().nonnegative() })),
  thresholds: z.object({
    /** A category is listed when its score reaches this and `secondaryRatio` of the best. */
    minScore: z.number().positive(),
    secondaryRatio: z.number().min(0).max(1),
    /** Categories that only lead when no other category reaches minScore (approval: the polluter matters more). */
    yielding: z.array(Category),
    /**
     * Where the pollution ends up decides over what it is: waste dumped at sea is marine pollution. A category
     * listed here leads over the named ones whenever it reaches minScore itself.
     */
    outranks: z.partialRecord(Category, z.array(Category)).default({}),
    /**
     * Terms that only say what kind of plant a project is (喷涂 of a spray-painting centre, 焚烧 of an incinerator
     * project): a category read from them alone does not hold a yielding category back. A project built without
     * its EIA is an approval matter until the text says what it pollutes.
     */
    facilityOnly: z.partialRecord(Category, z.array(z.string().min(1))).default({}),
    /**
     * Terms that do not by themselves say where the pollution ends up (海边 of 海边空地上偷倒污泥 is only where it
     * happens, 漏油 of 废机油桶漏油 may be any tank): an outranking category read from them alone does not outrank.
     * Waste dumped on the shore is still dumped waste.
     */
    cannotOutrankAlone: z.partialRecord(Category, z.array(z.string().min(1))).default({}),
    /**
     * How sure the category model (category.model.json) must be to overrule the terms: the natural log of how
     * much likelier it finds its category than the next. Below it the model only names the category of a
     * complaint whose words no term lists. Unset: it never overrules.
     */
    modelOverrules: z.number().positive().optional(),
  }),
  /**
   * Terms of a category that say what people sense rather than what is polluted (a smell, a sore throat).
   * A category found through these alone gives way to a listed one the text names with its own terms: black
   * water that stinks is water pollution (a stinking refuse station stays an odour complaint).
   */
  symptoms: z
    .partialRecord(
      Category,
      z.object({
        terms: z.array(z.string().min(1)),
        givesWayTo: z.array(Category),
        /**
         * Categories read only from words that name where the sensed nuisance comes from (a refuse station, a
         * manure heap): a stinking refuse station is an odour complaint, so the sensed category leads them.
         */
        leadsOver: z.partialRecord(Category, z.array(z.string().min(1))).default({}),
      }),
    )
    .default({}),
  /** Category when a complaint is accepted but names no category at all. */
  fallback: Category,
});
export type CategoryRules = z.infer<typeof CategoryRulesSchema>;

export const ReferralRulesSchema = z.object({
  name: z.literal('referral'),
  version: Version,
  /** key (topic or a scope entry's `referral`) → department to suggest. */
  referrals: z.record(z.string().min(1), z.string().min(1)),
});
export type ReferralRules = z.infer<typeof ReferralRulesSchema>;

/**
 * A text model's table (see text-model.util.ts). Its runs and counts are checked when it is compiled: a
 * schema over hundreds of thousands of counts would cost more start-up time than the rest of the tables
 * together.
 */
const TextModelTableSchema = <N extends string, C extends z.ZodType<string>>(name: N, label: C) =>
  z.object({
    name: z.literal(name),
    version: Version,
    trainedOn: z.object({ texts: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
    classes: z.array(label).min(2),
    documents: z.array(z.number().int().nonnegative()),
    grams: z.string(),
    counts: z.array(z.unknown()),
  });

export const CategoryModelTableSchema = TextModelTableSchema('category-model', Category);

/** What the validity model tells apart: a complaint, no complaint, or another department's matter by topic. */
export const VALIDITY_MODEL_CLASSES = ['valid', 'invalid', ...OUT_OF_SCOPE_TOPICS] as const;
export type ValidityModelClass = (typeof VALIDITY_MODEL_CLASSES)[number];
export const ValidityModelTableSchema = TextModelTableSchema('validity-model', z.enum(VALIDITY_MODEL_CLASSES));

