import iconv from 'iconv-lite';
import { decodeHeaderBytes, foldHeaderLines, messageIdOf, parseAddressHeader, parseStructuredHeader } from '../email-header.util';

const b64 = (b: Buffer) => b.toString('base64');
const q = (b: Buffer) => [...b].map((x) => `=${x.toString(16).toUpperCase().padStart(2, '0')}`).join('');

describe('decodeHeaderBytes', () => {
  it('joins base64 encoded-words split inside a GB2312 character, each padded', () => {
    const bytes = iconv.encode('举报化工厂', 'gbk'); // 10 bytes
    const raw = `=?GB2312?B?${b64(bytes.subarray(0, 3))}?=\r\n =?GB2312?B?${b64(bytes.subarray(3, 7))}?= =?gb2312?B?${b64(bytes.subarray(7))}?=`;
    expect(b64(bytes.subarray(0, 3)).endsWith('=')).toBe(false);
    expect(b64(bytes.subarray(3, 7))).toMatch(/=$/);
    const d = decodeHeaderBytes(Buffer.from(raw));
    expect(d.text).toBe('举报化工厂');
    expect(d.lossy).toBe(false);
  });

  it('joins Q words split inside a UTF-8 character and keeps text between non-adjacent words', () => {
    const bytes = Buffer.from('废水直排', 'utf8');
    const raw = `Re: =?utf-8?Q?${q(bytes.subarray(0, 4))}?= =?UTF-8?Q?${q(bytes.subarray(4))}?= (urgent)`;
    expect(decodeHeaderBytes(Buffer.from(raw)).text).toBe('Re: 废水直排 (urgent)');
  });

  it('decodes adjacent words of different charsets separately', () => {
    const raw = `=?big5?B?${b64(iconv.encode('舉報', 'big5'))}?= =?gbk?B?${b64(iconv.encode('噪音', 'gbk'))}?=`;
    expect(decodeHeaderBytes(Buffer.from(raw)).text).toBe('舉報噪音');
  });

  it('decodes raw 8-bit GBK, Big5 and UTF-8 header bytes', () => {
    expect(decodeHeaderBytes(Buffer.concat([Buffer.from('Fwd: '), iconv.encode('关于垃圾焚烧的举报', 'gbk')])).text).toBe('Fwd: 关于垃圾焚烧的举报');
    expect(decodeHeaderBytes(iconv.encode('關於工廠廢氣的投訴', 'big5')).text).toBe('關於工廠廢氣的投訴');
    expect(decodeHeaderBytes(Buffer.from('河道黑臭', 'utf8')).text).toBe('河道黑臭');
  });

  it('keeps a malformed encoded word as written', () => {
    expect(decodeHeaderBytes(Buffer.from('=?utf-8?X?abc?= tail')).text).toBe('=?utf-8?X?abc?= tail');
  });
});

describe('parseAddressHeader', () => {
  it('decodes the display name of every common form', () => {
    expect(parseAddressHeader(Buffer.from(`=?GB2312?B?${b64(iconv.encode('张伟', 'gbk'))}?= <Zhang.Wei@Example.com>`))).toMatchObject({ name: '张伟', address: 'zhang.wei@example.com' });
    expect(parseAddressHeader(Buffer.from('"Li, Na" <li@example.com>'))).toMatchObject({ name: 'Li, Na', address: 'li@example.com' });
    expect(parseAddressHeader(Buffer.from('MAILER-DAEMON@mx.example.cn (Mail Delivery System)'))).toMatchObject({ name: 'Mail Delivery System', address: 'mailer-daemon@mx.example.cn' });
    expect(parseAddressHeader(Buffer.concat([iconv.encode('王芳', 'gbk'), Buffer.from(' <wf@example.com>')]))).toMatchObject({ name: '王芳', address: 'wf@example.com' });
    expect(parseAddressHeader(Buffer.from('plain@example.com'))).toMatchObject({ name: null, address: 'plain@example.com' });
  });
});

describe('parseStructuredHeader', () => {
  it('decodes RFC 2231 filenames with continuations and a GB2312 charset', () => {
    const enc = [...iconv.encode('现场照片（一）.jpg', 'gbk')].map((x) => `%${x.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    const raw = `attachment; filename*0*=gb2312''${enc.slice(0, 30)}; filename*1*=${enc.slice(30)}; filename="fallback.jpg"`;
    expect(parseStructuredHeader(Buffer.from(raw)).params.filename).toBe('现场照片（一）.jpg');
  });

  it('decodes RFC 2047 and raw 8-bit filenames, keeping the main value lowercased', () => {
    const r = parseStructuredHeader(Buffer.from(`Image/JPEG; name="=?UTF-8?B?${b64(Buffer.from('排污口.jpg'))}?="`));
    expect(r.value).toBe('image/jpeg');
    expect(r.params.name).toBe('排污口.jpg');
    const raw8 = Buffer.concat([Buffer.from('attachment; filename="'), iconv.encode('举报材料.pdf', 'gbk'), Buffer.from('"')]);
    expect(parseStructuredHeader(raw8).params.filename).toBe('举报材料.pdf');
  });
});

describe('header helpers', () => {
  it('folds continuation lines and trims the Message-ID', () => {
    const headers = foldHeaderLines([Buffer.from('Subject: a'), Buffer.from('\tb'), Buffer.from('Message-ID:   <  abc@x.cn >  ')]);
    expect(headers.map((h) => h.key)).toEqual(['subject', 'message-id']);
    expect(headers[0].value.toString()).toBe('a\tb');
    expect(messageIdOf(headers[1].value)).toBe('abc@x.cn');
    expect(messageIdOf(Buffer.from('   '))).toBeNull();
  });
});
