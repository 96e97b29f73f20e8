import iconv from 'iconv-lite';
import { canonicalCharset, cjkPlausibility, decodeText, detectCharset } from '../email-charset.util';

const SIMPLIFIED = '河边化工厂夜里偷排废水，气味刺鼻，附近居民苦不堪言。';
const TRADITIONAL = '我要舉報工業區的化工廠，每天晚上排放廢氣，氣味非常難聞。';

describe('canonicalCharset', () => {
  it.each(['GB2312', 'gbk', 'x-gbk', 'GB_2312-80', 'cp936', 'EUC-CN', 'gb18030', '"gb2312"'])('reads %s as gb18030', (label) => {
    expect(canonicalCharset(label)).toBe('gb18030');
  });
  it.each(['big5', 'Big5-HKSCS', 'x-big5', 'cn-big5'])('reads %s as big5', (label) => {
    expect(canonicalCharset(label)).toBe('big5');
  });
  it('strips an RFC 2231 language and returns null for unknown labels', () => {
    expect(canonicalCharset('utf-8*zh-cn')).toBe('utf-8');
    expect(canonicalCharset('fakescii')).toBeNull();
    expect(canonicalCharset('')).toBeNull();
  });
});

describe('decodeText', () => {
  it('decodes GB18030 four-byte characters under a GB2312 label (Node gbk decoder does not)', () => {
    // 𠀀 (U+20000) and € only exist as GB18030 sequences beyond GB2312.
    const text = `${SIMPLIFIED}𠀀€`;
    const bytes = iconv.encode(text, 'gb18030');
    const d = decodeText(bytes, 'gb2312');
    expect(d.text).toBe(text);
    expect(d.lossy).toBe(false);
  });

  it('decodes GBK bytes labelled x-gbk and Big5 bytes labelled big5', () => {
    expect(decodeText(iconv.encode(SIMPLIFIED, 'gbk'), 'x-gbk').text).toBe(SIMPLIFIED);
    expect(decodeText(iconv.encode(TRADITIONAL, 'big5'), 'big5').text).toBe(TRADITIONAL);
  });

  it.each([
    ['UTF-8', Buffer.from(SIMPLIFIED, 'utf8'), SIMPLIFIED, 'utf-8'],
    ['GBK', iconv.encode(SIMPLIFIED, 'gbk'), SIMPLIFIED, 'gb18030'],
    ['Big5', iconv.encode(TRADITIONAL, 'big5'), TRADITIONAL, 'big5'],
  ])('detects %s bytes with no charset', (_name, bytes, text, charset) => {
    const d = decodeText(bytes, null);
    expect(d).toEqual({ text, charset, repaired: true, lossy: false });
  });

  it('repairs a us-ascii label on UTF-8 and on Big5 bytes', () => {
    expect(decodeText(Buffer.from(SIMPLIFIED), 'us-ascii').text).toBe(SIMPLIFIED);
    const big5 = decodeText(iconv.encode(TRADITIONAL, 'big5'), 'us-ascii');
    expect(big5.text).toBe(TRADITIONAL);
    expect(big5.repaired).toBe(true);
  });

  it('repairs a GB label on bytes that are really Big5 or UTF-8', () => {
    expect(decodeText(Buffer.from(SIMPLIFIED), 'gb2312').text).toBe(SIMPLIFIED);
    expect(decodeText(iconv.encode(TRADITIONAL, 'big5'), 'utf-8').text).toBe(TRADITIONAL);
  });

  it('keeps real Latin-1 text under a Latin-1 label and for isolated high bytes with no label', () => {
    const latin = Buffer.from('Caf\xe9 cr\xe8me, na\xefve', 'latin1');
    expect(decodeText(latin, 'iso-8859-1').text).toBe('Café crème, naïve');
    const d = decodeText(latin, null);
    expect(d.text).toBe('Café crème, naïve');
    expect(d.lossy).toBe(false);
  });

  it('produces U+FFFD only for bytes no charset can read, and says so', () => {
    const broken = Buffer.concat([Buffer.from('abc'), Buffer.from([0xe6, 0xb2]), Buffer.from([0xff, 0xff, 0xfe, 0x80])]);
    const d = decodeText(broken, 'utf-8');
    expect(d.lossy).toBe(true);
    expect(d.text).toContain('\ufffd');
    expect(d.text.startsWith('abc')).toBe(true);
  });

  it('never produces U+FFFD for decodable Chinese in any of the three encodings', () => {
    for (const [text, enc] of [[SIMPLIFIED, 'gbk'], [SIMPLIFIED, 'gb18030'], [TRADITIONAL, 'big5'], [SIMPLIFIED, 'utf8']] as const) {
      for (const label of [null, 'us-ascii', enc, 'utf-8']) {
        expect(decodeText(iconv.encode(text, enc), label).text).not.toContain('\ufffd');
      }
    }
  });
});

describe('plausibility', () => {
  it('tells GB text from Big5 text', () => {
    const gb = cjkPlausibility(iconv.encode(SIMPLIFIED, 'gbk'));
    const b5 = cjkPlausibility(iconv.encode(TRADITIONAL, 'big5'));
    expect(gb.gb).toBeGreaterThan(gb.big5);
    expect(b5.big5).toBeGreaterThan(b5.gb);
    expect(detectCharset(iconv.encode('你好', 'gbk'))?.charset).toBe('gb18030');
    expect(detectCharset(iconv.encode('你好', 'big5'))?.charset).toBe('big5');
  });
});
