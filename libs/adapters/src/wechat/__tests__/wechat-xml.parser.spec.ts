import { isDeepStrictEqual } from 'node:util';
import { parseWechatXml, readFlatPush } from '../wechat-xml.parser';
import { WechatRejectedError } from '../wechat.errors';

function rejection(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof WechatRejectedError) return error.code;
    throw error;
  }
  throw new Error('expected a rejection');
}

/** Runs fn and returns how long it took, in milliseconds. */
function timed(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const TEXT_PUSH = `<xml>
  <ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>
  <FromUserName><![CDATA[oAbCdEfGhIjKlMnOpQrStUvWxYz0]]></FromUserName>
  <CreateTime>1725180986</CreateTime>
  <MsgType><![CDATA[text]]></MsgType>
  <Content><![CDATA[河道旁的化工厂晚上偷排废水，气味刺鼻]]></Content>
  <MsgId>24613589088009483</MsgId>
</xml>`;

describe('parseWechatXml', () => {
  it('reads a text push, keeping a 17-digit MsgId as exact text', () => {
    const msg = parseWechatXml(Buffer.from(TEXT_PUSH, 'utf8'));
    expect(msg).toEqual({
      ToUserName: 'gh_0123456789ab',
      FromUserName: 'oAbCdEfGhIjKlMnOpQrStUvWxYz0',
      CreateTime: '1725180986',
      MsgType: 'text',
      Content: '河道旁的化工厂晚上偷排废水，气味刺鼻',
      MsgId: '24613589088009483',
    });
  });

  it('accepts leading whitespace before <xml>, an XML declaration, a BOM and spaces around CDATA', () => {
    const body = `\ufeff<?xml version="1.0" encoding="UTF-8"?>\n\n    <xml>\n <MsgType> <![CDATA[event]]> </MsgType>\n <Event> <![CDATA[user_get_card]]> </Event></xml>\n   `;
    expect(parseWechatXml(body)).toEqual({ MsgType: 'event', Event: 'user_get_card' });
  });

  it('keeps nested and repeated elements', () => {
    const body = `<xml><SendPicsInfo><Count>2</Count><PicList><item><PicMd5Sum><![CDATA[a]]></PicMd5Sum></item><item><PicMd5Sum><![CDATA[b]]></PicMd5Sum></item></PicList></SendPicsInfo></xml>`;
    expect(parseWechatXml(body)).toEqual({ SendPicsInfo: { Count: '2', PicList: { item: [{ PicMd5Sum: 'a' }, { PicMd5Sum: 'b' }] } } });
  });

  it('decodes predefined entities and numeric references in plain text but never inside CDATA', () => {
    const body = '<xml><A>a &amp; b &lt;c&gt; &#x4E2D;&#25991;</A><B><![CDATA[x &amp; y &#65;]]></B><C>&unknown;</C></xml>';
    expect(parseWechatXml(body)).toEqual({ A: 'a & b <c> 中文', B: 'x &amp; y &#65;', C: '&unknown;' });
  });

  it('does not refuse a complainant who types markup-like text inside CDATA', () => {
    const body = '<xml><Content><![CDATA[<!DOCTYPE html> &#1;&#2;]]></Content></xml>';
    expect(parseWechatXml(body, { maxCharRefs: 1 })).toEqual({ Content: '<!DOCTYPE html> &#1;&#2;' });
  });

  it('refuses a body over the byte cap, counting UTF-8 bytes of a string', () => {
    const body = `<xml><Content><![CDATA[${'污'.repeat(400)}]]></Content></xml>`;
    expect(body.length).toBeLessThan(1024);
    expect(rejection(() => parseWechatXml(body, { maxBytes: 1024 }))).toBe('too_large');
    expect(rejection(() => parseWechatXml(Buffer.from(body), { maxBytes: 1024 }))).toBe('too_large');
    expect(parseWechatXml(body, { maxBytes: 2048 }).Content).toHaveLength(400);
  });

  it('refuses billion laughs in milliseconds (under 250 ms even on a loaded machine; expanding it would take minutes)', () => {
    const levels = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) levels.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
    const body = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n${levels.join('\n')}\n]>\n<xml><Content>&lol9;</Content></xml>`;
    let code = '';
    expect(timed(() => (code = rejection(() => parseWechatXml(body))))).toBeLessThan(250);
    expect(code).toBe('doctype_forbidden');
  });

  it('refuses an external entity (SYSTEM file:///etc/passwd)', () => {
    const body = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>';
    expect(rejection(() => parseWechatXml(body))).toBe('doctype_forbidden');
    // Lower case and a bare ENTITY declaration (no DOCTYPE) are refused as well.
    expect(rejection(() => parseWechatXml('<!doctype xml><xml/>'))).toBe('doctype_forbidden');
    expect(rejection(() => parseWechatXml('<xml><!ENTITY x SYSTEM "file:///etc/passwd"></xml>'))).toBe('entity_forbidden');
    expect(rejection(() => parseWechatXml('<xml><!ELEMENT x ANY></xml>'))).toBe('malformed_xml');
  });

  it('refuses a 1 MB numeric character reference flood in milliseconds (under 250 ms even on a loaded machine), even with a raised byte cap', () => {
    const body = `<xml><Content>${'&#x6C61;'.repeat(131072)}</Content></xml>`;
    expect(body.length).toBeGreaterThan(1024 * 1024);
    let code = '';
    expect(timed(() => (code = rejection(() => parseWechatXml(body, { maxBytes: 2 * 1024 * 1024 }))))).toBeLessThan(250);
    expect(code).toBe('char_ref_flood');
    // With the default cap it does not even get that far.
    expect(rejection(() => parseWechatXml(body))).toBe('too_large');
    // A handful of references is fine.
    expect(parseWechatXml(`<xml><A>${'&#x6C61;'.repeat(10)}</A></xml>`).A).toBe('污'.repeat(10));
  });

  it('refuses malformed markup, documents without an <xml> root and non-text bodies', () => {
    expect(rejection(() => parseWechatXml('<xml><A>a</B></xml>'))).toBe('malformed_xml');
    expect(rejection(() => parseWechatXml('<xml><A>a</A>'))).toBe('malformed_xml');
    expect(rejection(() => parseWechatXml('<xml><Content><![CDATA[never closed</Content></xml>'))).toBe('malformed_xml');
    expect(rejection(() => parseWechatXml('{"MsgType":"text"}'))).toBe('malformed_xml');
    expect(rejection(() => parseWechatXml('<root><A>a</A></root>'))).toBe('not_xml');
    expect(rejection(() => parseWechatXml(''))).toBe('malformed_xml');
    expect(rejection(() => parseWechatXml(42 as unknown as string))).toBe('not_xml');
  });

  it('refuses element names that would pollute prototypes, and nesting deeper than any push', () => {
    expect(rejection(() => parseWechatXml('<xml><__proto__><isAdmin>1</isAdmin></__proto__></xml>'))).toBe('malformed_xml');
    const deep = `<xml>${'<a>'.repeat(40)}x${'</a>'.repeat(40)}</xml>`;
    expect(rejection(() => parseWechatXml(deep))).toBe('malformed_xml');
  });
});

/** The full path reads a document the same with an XML declaration in front, and the flat reading never takes one. */
const DECLARATION = '<?xml version="1.0"?>';
function fullPath(body: string): { value?: unknown; code?: string } {
  try {
    return { value: parseWechatXml(DECLARATION + body) };
  } catch (error) {
    if (error instanceof WechatRejectedError) return { code: error.code };
    throw error;
  }
}

describe('readFlatPush', () => {
  it('reads the pushes WeChat sends, as the full path reads them', () => {
    const plain = '<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><FromUserName><![CDATA[oAbC]]></FromUserName><CreateTime>1725180986</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[<a href="x">污水</a> &amp; &#65; ]]]]></Content><MsgId>24613589088009483</MsgId></xml>';
    const envelope = '<xml>\n  <ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>\n  <Encrypt><![CDATA[q0Xz+/=]]></Encrypt>\n</xml>\n';
    for (const body of [TEXT_PUSH, plain, envelope, '<xml><EventKey><![CDATA[]]></EventKey><Empty></Empty></xml>', ' <xml></xml> ']) {
      const flat = readFlatPush(body);
      expect(flat).not.toBeNull();
      expect(fullPath(body)).toEqual({ value: flat });
      expect(parseWechatXml(body)).toEqual(flat);
    }
  });

  it('leaves everything else to the full path and its checks', () => {
    const others = [
      '<!DOCTYPE xml [<!ENTITY x "y">]><xml><A>&x;</A></xml>',
      '<xml><!ENTITY x SYSTEM "file:///etc/passwd"><A>a</A></xml>',
      '<xml><A>&#x4E2D;</A></xml>',
      '<xml><A>a &amp; b</A></xml>',
      '<xml><!-- note --><A>a</A></xml>',
      '<?xml version="1.0"?><xml><A>a</A></xml>',
      '<xml><A><B>b</B></A></xml>',
      '<xml><A>a</A><A>b</A></xml>',
      '<xml><A x="1">a</A></xml>',
      '<xml><A/></xml>',
      '<xml><__proto__>1</__proto__></xml>',
      '<xml><ToString>1</ToString></xml>',
      '<xml><Constructor>1</Constructor></xml>',
      '<xml><xmlns>1</xmlns></xml>',
      '<xml><A> <![CDATA[a]]> </A></xml>',
      '<xml><A><![CDATA[a]]><![CDATA[b]]></A></xml>',
      '<xml><A><![CDATA[a\rb]]></A></xml>',
      '<xml><A>\u3000a</A></xml>',
      '<xml><A>a>b</A></xml>',
      '<xml><A>a\u0001</A></xml>',
      '<xml><A>a</B></xml>',
      '<xml><A>a</A>',
      '<xml><A><![CDATA[never closed</A></xml>',
      '<xml><A>a</A></xml><xml></xml>',
      '<root><A>a</A></root>',
    ];
    for (const body of others) expect([body, readFlatPush(body)]).toEqual([body, null]);
  });

  it('never reads a document differently from the full path (seeded random documents)', () => {
    let seed = 20240901;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const names = ['ToUserName', 'MsgId', 'A', 'a1', 'x_y', 'constructor', 'Prototype', '__proto__', 'toString', 'HASOWNPROPERTY', 'valueOf', '_a', '1a', 'a-b', 'xml', 'XmlA', 'B'.repeat(65)];
    const chars = [...'aZ09 \t\n\r<>&;#!?[]/="\'', '\u3000', '\u00a0', '\u2028', '\ufeff', '\u0000', '\u001f', '中', '😀', '\ud83d', ']]>', '<![CDATA[', '&amp;', '&#x41;', '<!--', '-->'];
    const text = () => Array.from({ length: Math.floor(rnd() * 6) }, () => pick(chars)).join('');
    const ws = ['', '', '', ' ', '\n  ', '\t', '\r\n'];
    const content = () => {
      const r = rnd();
      if (r < 0.45) return `<![CDATA[${text()}]]>`;
      if (r < 0.85) return text();
      if (r < 0.9) return `${pick(ws)}<![CDATA[${text()}]]>${pick(ws)}`;
      return `<B>${text()}</B>`;
    };
    const child = () => {
      const name = pick(names);
      const r = rnd();
      if (r < 0.03) return `<${name}/>`;
      if (r < 0.06) return `<${name}>${content()}</${pick(names)}>`;
      return `<${name}>${content()}</${name}>`;
    };
    let flatCount = 0;
    for (let i = 0; i < 20000; i++) {
      const body = `${pick(ws)}<xml>${Array.from({ length: Math.floor(rnd() * 6) }, () => pick(ws) + child()).join('')}${pick(ws)}</xml>${pick(ws)}`;
      const flat = readFlatPush(body);
      if (!flat) continue;
      flatCount++;
      const full = fullPath(body);
      if (!isDeepStrictEqual(full, { value: flat })) throw new Error(`read differently: ${JSON.stringify(body)} → ${JSON.stringify(flat)} / ${JSON.stringify(full)}`);
    }
    expect(flatCount).toBeGreaterThan(1000);
  });
});
