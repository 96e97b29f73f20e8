import { parseSubmission } from '@huiliu/contracts';
import { defaultStages, judge } from '@huiliu/pipeline';
import { percentile } from './bench-env';

const TEXTS = [
  '南京市玄武区中山路的宏达化工厂每天晚上排放黑烟，气味刺鼻，窗户都不敢开，请尽快查处。',
  '宝安区福永街道有个工地半夜还在打桩，噪音太大，孩子睡不着。',
  '来电反映：1、村头养猪场把粪水直接排进河里；2、河水发黑发臭。请核实。',
  '我们小区物业乱收停车费，一个月涨了两次。',
  '朝阳区望京街道附近的饭店油烟直排，家里全是油烟味。',
  '有人在江边非法采砂，晚上船来船往，河岸都塌了。',
  '您好',
  '鼓楼区一家汽修厂露天喷漆，味道很大。',
  'The factory near Nanshan District keeps dumping waste water into the river at night.',
  '村里有人偷倒建筑垃圾和工业废料，堆成了山，下雨就流到田里。',
];

/** CPU cost of judging (validate → locate → classify) per submission, in one process, after warm-up. */
export function judgingBench(n: number): { submissions: number; medianUs: number; p99Us: number } {
  const stages = defaultStages();
  const inputs = Array.from({ length: 200 }, (_, i) =>
    parseSubmission({ schemaVersion: 1, channelType: 'web', ref: `j-${i}`, text: `${TEXTS[i % TEXTS.length]}${i % 7 === 0 ? '（第二次反映）' : ''}`, location: i % 3 === 0 ? { districtCode: '320102' } : {} }),
  );
  for (let i = 0; i < 2000; i++) judge({ submission: inputs[i % inputs.length] }, stages);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    // A fresh copy each time: the stages may cache per-object scans, real submissions come fresh.
    const submission = { ...inputs[i % inputs.length] };
    const t0 = process.hrtime.bigint();
    judge({ submission }, stages);
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return { submissions: n, medianUs: percentile(times, 50), p99Us: percentile(times, 99) };
}
