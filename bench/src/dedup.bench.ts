import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { getDivisionIndex } from '@huiliu/divisions';
import { assignCases, type CaseCandidateSubmission } from '@huiliu/intake';
import { caseFeaturesOf, DEFAULT_MATCH_CONFIG, dedupInputFromParts, indexEntries, type DedupInput } from '@huiliu/pipeline';
import { CaseIndexRepository, createDataSource, runMigrations } from '@huiliu/store';
import { createBenchEnv, percentile } from './bench-env';

/**
 * Dedup cost per submission against a case store of 10k, 100k and 1M generated cases: the whole stage
 * as the worker runs it (block locks, index probe, candidate cases loaded (written only if unchanged), chooseCase, the
 * case and index writes), one submission per transaction, rolled back so every probe sees the same store.
 *
 * Generated cases look like complaints: a polluter (brand + trade) on a road in a real county, a township
 * for some, a problem of the category, reported over the last three years (a twelfth inside the 90-day
 * window). Probes arrive "now", as live traffic does: half are other people's reports, in other words, of a
 * case from the last weeks; half are new incidents.
 */

// Firm names draw on a few hundred characters, as real ones do (two-character brands: ~100k names).
const BRAND_CHARS =
  '华泰金鹏宏达永兴蓝天绿源北辰汇丰新亚恒通顺发明光东方利民富强兴旺昌盛鑫隆鼎瑞嘉禾成佳和中联海鸿远大安康乐平德信义仁智勇诚正宝元春秋冬雪松柏竹梅兰菊荣耀辉煌星月阳晨曦霞云峰山川河湖江港湾桥林森木火土石玉珠银铜铁钢锦绣丽美秀雅清静祥福寿喜吉庆祺瑜琪琳璐璟瀚博文武豪杰英雄伟健凯旋腾飞翔龙凤麟鹤鹰燕鸿雁骏驰达通畅捷迅速新创科技立志远航开拓进取精工匠心合众协力同舟共济万家千禧百川四海五洲九鼎八方六合三元两仪一品';
const ROAD_CHARS = '人民解放建设中山和平胜利友谊光明文化长江黄河新华朝阳青年幸福团结红旗工农振兴复兴滨江湖滨';
const TRADES: Record<string, string[]> = {
  air: ['化工厂', '钢铁厂', '水泥厂', '铸造厂', '喷涂厂', '沥青搅拌站', '砖厂', '饭店'],
  water: ['印染厂', '造纸厂', '电镀厂', '养殖场', '化工厂', '制药厂'],
  noise: ['工地', 'KTV', '酒吧', '机械厂', '洗车店', '五金厂'],
  waste: ['塑料厂', '汽修厂', '建材厂', '废品站'],
  soil: ['冶炼厂', '电镀厂', '农药厂'],
};
const PROBLEMS: Record<string, string[][]> = {
  air: [
    ['每天晚上排放黑烟', '烟囱一直冒黑烟', '夜里偷排黑烟'],
    ['废气气味刺鼻', '刺鼻的废气味道', '臭味熏得人头疼'],
    ['粉尘很大', '灰尘满天飞', '扬尘严重'],
  ],
  water: [
    ['偷排污水到河里', '污水直接排进河道', '往河里排废水'],
    ['河水发黑发臭', '河里的水又黑又臭', '水面漂着泡沫'],
  ],
  noise: [
    ['半夜噪音扰民', '晚上吵得睡不着', '噪声一直到凌晨'],
    ['机器轰鸣声很大', '设备噪音太大', '机器声震耳朵'],
  ],
  waste: [
    ['乱倒工业垃圾', '把废料倒在路边', '偷倒固体废物'],
    ['危险废物随意堆放', '废油桶露天乱放', '危废没人管'],
  ],
  soil: [
    ['废渣堆在农田里', '土壤被污染了庄稼死了', '废渣把地都污染了'],
  ],
};
const CATEGORY_WEIGHTS: [string, number][] = [
  ['air', 0.4],
  ['noise', 0.25],
  ['water', 0.18],
  ['waste', 0.12],
  ['soil', 0.05],
];
const OPENINGS = ['我要投诉，', '反映一个问题：', '', '你好，', '邻居们都很气愤，', '来电反映：'];
const CLOSINGS = ['请尽快查处。', '希望环保部门管一管。', '已经持续很久了。', '请派人来看看。', '', '影响周边居民生活。'];

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

interface Incident {
  county: string;
  township: string | null;
  category: string;
  entity: string;
  road: string;
  number: number;
  problem: number;
  at: number;
}

const DAY = 86_400_000;
/** The generated store's "now": cases reach three years back from it, probes arrive at it. */
const NOW = Date.parse('2026-06-30T00:00:00Z');

export class Generator {
  private readonly counties: { code: string; townships: string[] }[];

  constructor(private readonly now: number) {
    const index = getDivisionIndex();
    this.counties = [...index.byCode.values()]
      .filter((d) => d.kind === 'county')
      .map((d) => ({ code: d.code, townships: (index.townshipsOf.get(d.code) ?? []).map((t) => t.name) }));
  }

  incident(seed: number): Incident {
    const r = rng(seed * 2654435761);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
    const county = pick(this.counties);
    let x = r();
    let category = CATEGORY_WEIGHTS[0][0];
    for (const [c, w] of CATEGORY_WEIGHTS) {
      if ((x -= w) <= 0) {
        category = c;
        break;
      }
    }
    const brand = `${pick([...BRAND_CHARS])}${pick([...BRAND_CHARS])}`;
    return {
      county: county.code,
      township: county.townships.length && r() < 0.4 ? pick(county.townships) : null,
      category,
      entity: `${brand}${pick(TRADES[category])}`,
      road: `${pick([...ROAD_CHARS])}${pick([...ROAD_CHARS])}${pick(['路', '街', '大道'])}`,
      number: 1 + Math.floor(r() * 300),
      problem: Math.floor(r() * PROBLEMS[category].length),
      // Three years of cases: a store that size holds a few months' reports inside the matching window.
      at: this.now - Math.floor(r() * 3 * 365 * DAY),
    };
  }

  /** One report of the incident; `variant` picks the wording (0 is the first report). */
  report(inc: Incident, variant: number): DedupInput {
    const r = rng(variant * 7919 + 17);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
    const problem = pick(PROBLEMS[inc.category][inc.problem]);
    const place = r() < 0.5 ? `${inc.road}${inc.number}号` : inc.road;
    const where = inc.township && r() < 0.7 ? `${inc.township}${place}` : place;
    const text =
      variant % 2 === 0
        ? `${pick(OPENINGS)}${where}的${inc.entity}${problem}，${pick(CLOSINGS)}`
        : `${pick(OPENINGS)}${inc.entity}${problem}，就在${where}附近，${pick(CLOSINGS)}`;
    return dedupInputFromParts({
      text,
      divisionCode: inc.county,
      category: inc.category,
      township: null,
      at: inc.at + variant * 2 * DAY,
      complainantKey: `tel:bench-${variant}-${inc.at}`,
    });
  }
}

/** Generated case ids are derived from their seed, so a probe knows which case its incident is. */
function caseIdOf(seed: number): string {
  return `00000000-0000-4000-8000-${seed.toString(16).padStart(12, '0')}`;
}

export async function loadCases(ds: DataSource, gen: Generator, from: number, to: number): Promise<void> {
  await ds.query(`DROP INDEX IF EXISTS ix_case_keys_probe`);
  const chunk = 5000;
  for (let start = from; start < to; start += chunk) {
    const ids: string[] = [];
    const features: string[] = [];
    const dcs: string[] = [];
    const cats: string[] = [];
    const ats: string[] = [];
    const kCase: string[] = [];
    const kKey: string[] = [];
    const kDiv: number[] = [];
    const kAt: string[] = [];
    for (let i = start; i < Math.min(to, start + chunk); i++) {
      const inc = gen.incident(i);
      const input = gen.report(inc, 0);
      const id = caseIdOf(i);
      const at = new Date(input.side.at).toISOString();
      ids.push(id);
      features.push(JSON.stringify(caseFeaturesOf(input.side)));
      dcs.push(inc.county);
      cats.push(inc.category);
      ats.push(at);
      for (const e of indexEntries(inc.county, inc.category, input.keys)) {
        kCase.push(id);
        kKey.push(e.key);
        kDiv.push(e.division);
        kAt.push(at);
      }
    }
    await ds.query(
      `INSERT INTO cases (id, status, features, division_code, division_level, category, title, submission_count, channel_types, first_reported_at, last_reported_at)
       SELECT v.id, 'open', v.f, v.dc, 'county', v.cat, 'generated', 1, '{hotline}', v.at, v.at
         FROM unnest($1::uuid[], $2::jsonb[], $3::text[], $4::text[], $5::timestamptz[]) AS v(id, f, dc, cat, at)`,
      [ids, features, dcs, cats, ats],
    );
    await ds.query(`INSERT INTO case_keys (case_id, key, division, last_at) SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::int[], $4::timestamptz[])`, [kCase, kKey, kDiv, kAt]);
  }
  await ds.query(`CREATE INDEX ix_case_keys_probe ON case_keys (key, division, last_at) INCLUDE (case_id)`);
  await ds.query(`VACUUM ANALYZE cases`);
  await ds.query(`VACUUM ANALYZE case_keys`);
}

export interface DedupTier {
  cases: number;
  keyRows: number;
  loadSeconds: number;
  medianMs: number;
  p99Ms: number;
  candidatesPerSubmission: number;
  /** Probes that were another report of a stored case and were attached to that case (auto or suggested). */
  repeatsFound: number;
  repeats: number;
  /** New incidents attached to some stored case (should stay near zero). */
  newAttached: number;
  news: number;
}

export async function dedupBench(tiers: number[] = [10_000, 100_000, 1_000_000], probes = 2000): Promise<{ tiers: DedupTier[]; ratio: number }> {
  const env = await createBenchEnv('dedup');
  const ds = await createDataSource(env.databaseUrl, { poolSize: 4 }).initialize();
  try {
    await runMigrations(ds);
    const gen = new Generator(NOW);
    const index = new CaseIndexRepository();
    const config = DEFAULT_MATCH_CONFIG;
    const out: DedupTier[] = [];
    let loaded = 0;
    for (const size of tiers) {
      const t0 = Date.now();
      await loadCases(ds, gen, loaded, size);
      loaded = size;
      const loadSeconds = (Date.now() - t0) / 1000;
      const [{ n: keyRows }] = await ds.query(`SELECT count(*)::int AS n FROM case_keys`);
      const times: number[] = [];
      let candidates = 0;
      let repeatsFound = 0;
      let repeats = 0;
      let newAttached = 0;
      let news = 0;
      for (let p = 0; p < probes + 200; p++) {
        const warm = p < 200;
        const repeat = p % 2 === 0;
        // Live traffic: a report arrives now. A repeat is another report of a stored case from the last
        // weeks (its seed is below `size`); a new incident has a seed beyond every tier.
        let seed = repeat ? (p * 7_368_787) % size : 50_000_000 + p + size;
        while (repeat && gen.incident(seed).at < NOW - 80 * DAY) seed = (seed + 1) % size;
        const inc = repeat ? gen.incident(seed) : { ...gen.incident(seed), at: NOW - (p % 48) * 3_600_000 };
        const input = gen.report(inc, repeat ? 1 + (p % 5) : 0);
        const sub: CaseCandidateSubmission = { id: randomUUID(), channelType: 'web', title: null, input, pinned: null };
        const qr = ds.createQueryRunner();
        await qr.connect();
        const start = process.hrtime.bigint();
        await qr.startTransaction();
        let assigned;
        try {
          assigned = (await assignCases(qr.manager, index, [sub], config)).get(sub.id)!;
        } finally {
          await qr.rollbackTransaction();
          await qr.release();
        }
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (warm) continue;
        times.push(ms);
        candidates += assigned.dedup.candidates;
        if (repeat) {
          repeats++;
          if (assigned.match !== 'new' && assigned.caseId === caseIdOf(seed)) repeatsFound++;
        } else {
          news++;
          if (assigned.match !== 'new') newAttached++;
        }
      }
      times.sort((a, b) => a - b);
      const tier: DedupTier = {
        cases: size,
        keyRows,
        loadSeconds,
        medianMs: percentile(times, 50),
        p99Ms: percentile(times, 99),
        candidatesPerSubmission: candidates / times.length,
        repeatsFound,
        repeats,
        newAttached,
        news,
      };
      out.push(tier);
      console.log(
        `dedup against ${size.toLocaleString('en')} cases (${keyRows.toLocaleString('en')} index rows, loaded in ${loadSeconds.toFixed(0)} s): median ${tier.medianMs.toFixed(2)} ms, p99 ${tier.p99Ms.toFixed(2)} ms per submission; ${tier.candidatesPerSubmission.toFixed(1)} candidate cases scored; repeats found ${repeatsFound}/${repeats}, new incidents attached ${newAttached}/${news}`,
      );
    }
    const ratio = out[out.length - 1].medianMs / out[0].medianMs;
    return { tiers: out, ratio };
  } finally {
    await ds.destroy();
    await env.dispose();
  }
}
