import { extractIncidentFeatures, findEntities, findPlaces, shinglesOf } from '../features.util';
import { foldText } from '../normalize.util';

describe('extractIncidentFeatures', () => {
  it('names the polluter with the legal form trimmed', () => {
    const f = extractIncidentFeatures({ text: '山西省运城市稷山县蔡村乡迎宾大道金鹏化工股份有限公司半夜排放大量黑烟' });
    expect(f.entity).toBe('金鹏化工');
    expect(f.kind).toBe('化工');
  });

  it('prefers the declared subject (被举报对象) and reads traditional script', () => {
    const f = extractIncidentFeatures({ text: '夜裡排放黑煙', subject: '華泰橡膠有限責任公司' });
    expect(f.entity).toBe('华泰橡胶');
  });

  it('keeps venue words as part of the name', () => {
    expect(extractIncidentFeatures({ text: '来电人反映夜色酒吧（古城区金安镇学府路）音响开得很大' }).entity).toBe('夜色酒吧');
    expect(extractIncidentFeatures({ text: '举报：唱响ＫＴＶ唱歌声音特别大' }).entity).toBe('唱响ktv');
  });

  it('gives only the kind when the text names no polluter', () => {
    const f = extractIncidentFeatures({ text: '腾冲市清水镇的一家制药厂夜里散发刺鼻的臭味' });
    expect(f.entity).toBeNull();
    expect(f.kind).toBe('制药');
  });

  it('does not take a landmark or an everyday noun for the polluter', () => {
    expect(extractIncidentFeatures({ text: '我要举报歙县第二小学西侧的华泰砂石有限公司' }).entity).toBe('华泰砂石');
    expect(extractIncidentFeatures({ text: '那曲市双湖县前刘村污染农田，担心粮食重金属超标' }).entity).toBeNull();
    expect(extractIncidentFeatures({ text: '长辛店街道滨河路的汇通橡胶冒黑烟' }).entity).toBe('汇通橡胶');
  });

  it('finds roads, villages and landmarks, and townships apart', () => {
    const f = extractIncidentFeatures({ text: '湖口镇迎宾大道119号的佳禾污水处理超标排放', address: '射洪市太乙镇王家庄村' });
    expect(f.places).toEqual(expect.arrayContaining(['迎宾大道', '王家庄村']));
    expect(f.townships).toEqual(expect.arrayContaining(['湖口镇', '太乙镇']));
    expect(f.place).toBe('王家庄村');
  });

  it('collects problem terms', () => {
    expect(extractIncidentFeatures({ text: '烟囱冒黑烟，气味刺鼻' }).problemTerms).toEqual(expect.arrayContaining(['黑烟', '刺鼻']));
  });

  it('returns empty features for an empty text', () => {
    const f = extractIncidentFeatures({ text: '' });
    expect(f).toMatchObject({ shingles: [], entity: null, place: null, problemTerms: [] });
  });
});

describe('building blocks', () => {
  it('shingles are the 2- and 3-grams without repeats', () => {
    expect(shinglesOf('黑烟黑烟')).toEqual(['黑烟', '黑烟黑', '烟黑', '烟黑烟']);
    expect(shinglesOf('烟')).toEqual(['烟']);
  });

  it('merges a run of anchors into one name', () => {
    const [e] = findEntities(foldText('吉林市丰满区旺起镇文化路的丽景花园综合体项目工地施工'));
    expect(e.core).toBe('丽景花园综合体项目工地');
  });

  it('cuts place names at the township before them', () => {
    expect(findPlaces(foldText('清水镇民主路126号')).places).toEqual(['民主路']);
  });
});

describe('extractIncidentFeatures: names mentioned in passing and project words', () => {
  it('keeps an everyday-noun trade without legal form as an alias, never as the polluter', () => {
    const f = extractIncidentFeatures({ text: '来电人反映佳禾污水处理（上述地点）出水又黑又臭' });
    expect(f.entity).toBeNull();
    expect(f.aliases).toEqual(['佳禾污水处理']);
    // 重金属 and 建筑垃圾 name nothing at all.
    expect(extractIncidentFeatures({ text: '前刘村污染农田，担心粮食重金属超标' }).aliases).toEqual([]);
  });

  it('moves project words onto the kind: the brand is what distinguishes the project', () => {
    const f = extractIncidentFeatures({ text: '其家附近的春晖苑安置房项目半夜施工' });
    expect(f.entityName).toEqual({ core: '春晖苑安置房项目', brand: '春晖苑', kind: '安置房项目' });
    const generic = extractIncidentFeatures({ text: '幸福里安置房项目施工机器轰鸣' });
    expect(generic.entity).toBeNull();
    expect(generic.kind).toBe('安置房项目');
  });
});
