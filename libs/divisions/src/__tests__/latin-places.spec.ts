import { parseSubmission } from '@huiliu/contracts';
import { getDivisionIndex } from '../division-index';
import { withChinesePlaceNames } from '../latin-places';
import { locate } from '../locate';

const index = getDivisionIndex();
const locateText = (text: string) => locate({ submission: parseSubmission({ schemaVersion: 1, channelType: 'email', ref: 'E-1', text }), channelHomeDivision: null });

describe('place names in pinyin', () => {
  it('rewrites a name with its level word, and a bare province or city name, as the Chinese names', () => {
    expect(withChinesePlaceNames('near Jianshe Road, Nanshan District, Shenzhen, every night', index)).toBe('near Jianshe Road, 南山区, 深圳市, every night');
    expect(withChinesePlaceNames('Pudong New Area, Shanghai', index)).toBe('浦东新区, 上海市');
    expect(withChinesePlaceNames('Changsha County, Hunan Province', index)).toBe('长沙县, 湖南省');
    expect(withChinesePlaceNames("Xi'an City and Inner Mongolia", index)).toBe('西安市 and 内蒙古自治区');
    // Two capitalised words that are not one name: each read on its own.
    expect(withChinesePlaceNames('Shenzhen Bay', index)).toBe('深圳市 Bay');
    // places read otherwise than their characters usually are
    expect(withChinesePlaceNames('Qibao Old Street in Minhang District, Shanghai', index)).toBe('Qibao Old Street in 闵行区, 上海市');
    // a county alone after a preposition or opening the text, when no other county is so spelled
    expect(locateText('Taxi driver 在 Futian 收了我 400块').code).toBe('440304');
    expect(locateText('A PCB factory in Kunshan releases an acid smell at night').code).toBe('320583');
    expect(locateText('Kunshan - a PCB factory next to our dormitory releases acid smell').code).toBe('320583');
    expect(locateText('Jianhua said the factory smokes every night').code).toBeNull();
    expect(locateText('Dear Sir, In Beidaihe, fishing boats are throwing garbage into the sea').code).toBe('130304');
    expect(locateText('The neighbours party until 2am every night. Pudong 花木').code).toBe('310115');
    // a name last in a text is a signature
    expect(locateText('The factory smokes every night. Best regards, Jianhua').code).toBeNull();
    // a township inside the city the text names, in pinyin or Chinese
    expect(locateText('I live in Shekou, Shenzhen, facing the container terminal').code).toBe('440305');
    expect(locateText('青岛 Huangdao 有个 car wash 洗车店, the foamy water goes into the creek').code).toBe('370211');
    expect(locateText('Shenzhen Longgang 的 river 旁边每天晚上有 trucks 倒 construction waste').code).toBe('440307');
    // a bare name placed in another province is its county there, not the city of that name elsewhere
    expect(locateText('Our landlord cut off our water. Chaoyang, Beijing. Who can help?').code).toBe('110105');
    expect(locateText('A factory in Chaoyang, Liaoning keeps burning coal').code).toBe('211300');
    expect(locateText('A bar in Sanlitun, Beijing plays loud music until 3am').code).toBe('110105');
    // conventional and prefecture names
    expect(locateText('Tianhe, Canton: the cooling towers on the roof run all night').code).toBe('440106');
    expect(locateText('Xishuangbanna: rainforest being cleared for rubber').code).toBe('532800');
    expect(locateText('Mist nets in the wetland near Erhai, Dali city (Yunnan)').code).toBe('532901');
    // an autonomous county with its people's name
    expect(locateText('Illegal logging behind our village in Rongshui Miao Autonomous County, Guangxi.').code).toBe('450225');
    // level words as people type them
    expect(withChinesePlaceNames('a bar in Nanshan district, Shenzhen', index)).toBe('a bar in 南山区, 深圳市');
    expect(locateText('Bus route 58 in Gulou district got cancelled').candidates).toEqual(expect.arrayContaining(['320106', '350102']));
    // a shared spelling with a lower-case level word is still no city of that name
    expect(locateText('The bins are never emptied. Chaoyang district.').code).toBeNull();
  });

  it('leaves spellings shared by two Chinese names, county names without a level word, and ordinary words alone', () => {
    // 山西 and 陕西 are both Shanxi without tones (Shaanxi is the conventional spelling of the second).
    expect(withChinesePlaceNames('a mill in Shanxi Province', index)).toBe('a mill in Shanxi Province');
    expect(withChinesePlaceNames('a mill in Shaanxi', index)).toBe('a mill in 陕西省');
    // 朝阳区 and 潮阳区, 苏州 and 宿州: unless a province or city the text names keeps only one.
    expect(withChinesePlaceNames('Chaoyang District', index)).toBe('Chaoyang District');
    expect(withChinesePlaceNames('Chaoyang District, Beijing', index)).toBe('朝阳区, 北京市');
    expect(withChinesePlaceNames('a dye works in Suzhou', index)).toBe('a dye works in Suzhou');
    expect(withChinesePlaceNames('a dye works in Suzhou, Jiangsu Province', index)).toBe('a dye works in 苏州市, 江苏省');
    expect(withChinesePlaceNames('Dear Sir, the Trucks arrive at Nanshan every night', index)).toBe('Dear Sir, the Trucks arrive at Nanshan every night');
    expect(withChinesePlaceNames('没有拼音的文字', index)).toBe('没有拼音的文字');
    // Streets named after cities.
    expect(withChinesePlaceNames('A restaurant on Nanjing Road, Shanghai', index)).toBe('A restaurant on Nanjing Road, 上海市');
    expect(withChinesePlaceNames('a shop on Beijing West Road', index)).toBe('a shop on Beijing West Road');
  });

  it('lets the locate stage place an English complaint by its county and city', () => {
    expect(locateText('Trucks dump construction waste near Jianshe Road, Nanshan District, Shenzhen.')).toMatchObject({ code: '440305', level: 'county' });
    expect(locateText('A bar on Renmin Road, Gulou District, Nanjing plays loud music after midnight.')).toMatchObject({ code: '320106', level: 'county' });
    expect(locateText('A chemical plant in Pudong New Area releases a strong smell.')).toMatchObject({ code: '310115', level: 'county' });
    expect(locateText('Loud construction noise at 2am in Chaoyang District, Beijing.')).toMatchObject({ code: '110105', level: 'county' });
  });

  it('reads a bare county name inside a city or province the text names, and conventional city names', () => {
    expect(withChinesePlaceNames('our building in Haidian, Beijing', index)).toBe('our building in 海淀区, 北京市');
    expect(withChinesePlaceNames('Futian, Shenzhen', index)).toBe('福田区, 深圳市');
    expect(locateText('A mobile phone tower was put on the roof of our building in Haidian, Beijing.').code).toBe('110108');
    // a county of that spelling outside the named city is not read
    expect(withChinesePlaceNames('Haidian, Shenzhen', index)).toBe('Haidian, 深圳市');
    expect(withChinesePlaceNames('Waste on the bank of the Lhasa River in Chengguan District', index)).toBe('Waste on the bank of the 拉萨市 River in 城关区');
    expect(locateText('Waste on the bank of the Lhasa River in Chengguan District.').code).toBe('540102');
  });

  it('reads a township with its level word, settled by a county word beside it when two share the spelling', () => {
    expect(withChinesePlaceNames('Rongcheng, Lidao town: someone is dumping rocks into the sea', index)).toContain('俚岛镇');
    expect(locateText('Rongcheng, Lidao town: someone is dumping rocks into the sea to build a pier.').code).toBe('371082');
    // 陈埭镇 and 陈岱镇 are both Chendai: Jinjiang keeps 陈埭镇
    expect(withChinesePlaceNames('Jinjiang, Chendai town - a dyeing workshop', index)).toContain('陈埭镇');
    expect(withChinesePlaceNames('Chendai town - a dyeing workshop', index)).toBe('Chendai town - a dyeing workshop');
    expect(locateText('Yiwu Fotang zhen: a plastics workshop, very smelly').code).toBe('330782');
  });
});

