import iconv from 'iconv-lite';
import { SubmissionSchema } from '@huiliu/contracts';
import { parseEmail } from '../email.parser';
import { isEmailParseFailure, type EmailParsed, type EmailParseOptions, type EmailParseResult } from '../email.types';

const b64 = (b: Buffer) => b.toString('base64').replace(/.{76}/g, '$&\r\n');
const word = (text: string, charset = 'UTF-8') => `=?${charset}?B?${iconv.encode(text, charset).toString('base64')}?=`;

/** A message from header lines and a body (string or bytes), CRLF line ends. */
function mail(headers: string[], body: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${headers.join('\r\n')}\r\n\r\n`), typeof body === 'string' ? Buffer.from(body.replace(/\r?\n/g, '\r\n')) : body]);
}

const BASE = ['From: =?UTF-8?B?5byg5Lyf?= <zhangwei@example.com>', 'To: jubao@sthjj.example.gov.cn', 'Date: Tue, 3 Sep 2024 20:26:02 +0800', 'MIME-Version: 1.0'];

function ok(result: EmailParseResult): EmailParsed {
  if (isEmailParseFailure(result)) throw new Error(`unexpected failure: ${result.error.detail}`);
  // Every submission the parser builds must satisfy the shared schema.
  SubmissionSchema.parse(result.submission);
  return result;
}

async function parse(raw: Buffer, opts?: EmailParseOptions): Promise<EmailParsed> {
  return ok(await parseEmail(raw, opts));
}

describe('parseEmail: charsets', () => {
  const COMPLAINT = '城东化工厂每天夜里偷排废水，河水发黑发臭。';

  it('reads a GB2312-labelled base64 body with GB18030-only characters, and a B-encoded GB2312 subject', async () => {
    const body = `${COMPLAINT}€𠀀`;
    const r = await parse(mail([...BASE, 'Message-ID: <a1@example.com>', `Subject: ${word('举报偷排废水', 'GB2312')}`, 'Content-Type: text/plain; charset="GB2312"', 'Content-Transfer-Encoding: base64'], b64(iconv.encode(body, 'gb18030'))));
    expect(r.submission.title).toBe('举报偷排废水');
    expect(r.submission.text).toBe(body);
    expect(r.submission.complainant).toMatchObject({ name: '张伟', email: 'zhangwei@example.com' });
    expect(r.submission.flags).not.toContain('charset_repaired');
  });

  it('reads an 8-bit GBK body and raw GBK headers with no charset anywhere', async () => {
    const raw = Buffer.concat([
      Buffer.from('From: '), iconv.encode('李娜', 'gbk'), Buffer.from(' <lina@example.com>\r\nSubject: '), iconv.encode('噪音扰民', 'gbk'),
      Buffer.from('\r\nMessage-ID: <a2@example.com>\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'), iconv.encode(COMPLAINT, 'gbk'), Buffer.from('\r\n'),
    ]);
    const r = await parse(raw);
    expect(r.submission.title).toBe('噪音扰民');
    expect(r.submission.complainant?.name).toBe('李娜');
    expect(r.submission.text).toBe(COMPLAINT);
    expect(r.submission.flags).toContain('charset_repaired');
    expect(JSON.stringify(r.submission)).not.toContain('\ufffd');
  });

  it('reads Big5 mislabelled us-ascii and UTF-8 mislabelled us-ascii', async () => {
    const trad = '工業區的化工廠每天晚上排放廢氣，氣味非常難聞。';
    const big5 = await parse(mail([...BASE, 'Message-ID: <a3@example.com>', 'Subject: x', 'Content-Type: text/plain; charset=us-ascii', 'Content-Transfer-Encoding: base64'], b64(iconv.encode(trad, 'big5'))));
    expect(big5.submission.text).toBe(trad);
    expect(big5.submission.flags).toContain('charset_repaired');
    const utf8 = await parse(mail([...BASE, 'Message-ID: <a4@example.com>', 'Subject: x', 'Content-Type: text/plain; charset=us-ascii', 'Content-Transfer-Encoding: 8bit'], Buffer.from(COMPLAINT)));
    expect(utf8.submission.text).toBe(COMPLAINT);
  });

  it('reads x-gbk quoted-printable and Big5 labelled bodies', async () => {
    const qp = [...iconv.encode(COMPLAINT, 'gbk')].map((x) => `=${x.toString(16).toUpperCase()}`).join('').replace(/.{72}/g, '$&=\r\n');
    const r = await parse(mail([...BASE, 'Message-ID: <a5@example.com>', 'Subject: x', 'Content-Type: text/plain; charset=x-gbk', 'Content-Transfer-Encoding: quoted-printable'], qp));
    expect(r.submission.text).toBe(COMPLAINT);
    const trad = '舉報河道污染';
    const b = await parse(mail([...BASE, 'Message-ID: <a6@example.com>', `Subject: ${word(trad, 'big5')}`, 'Content-Type: text/plain; charset=big5', 'Content-Transfer-Encoding: base64'], b64(iconv.encode(trad, 'big5'))));
    expect(b.submission.title).toBe(trad);
    expect(b.submission.text).toBe(trad);
  });
});

describe('parseEmail: body text', () => {
  it('turns HTML-only mail into clean text', async () => {
    const html = '<html><head><title>t</title><style>p{color:red}</style><script>alert(1)</script></head><body><p>您好：</p><div>工厂&nbsp;排放&ldquo;黑烟&rdquo; &amp; 异味&#x3002;</div>第一行<br>第二行<ul><li>时间：夜里</li></ul></body></html>';
    const r = await parse(mail([...BASE, 'Message-ID: <h1@example.com>', 'Subject: html', 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64'], b64(Buffer.from(html))));
    expect(r.submission.text).toBe('您好：\n工厂 排放“黑烟” & 异味。\n第一行\n第二行\n• 时间：夜里');
    expect(r.submission.flags).toContain('html_only');
    expect(r.submission.text).not.toMatch(/alert|color|</);
  });

  it('prefers the plain alternative and is not html_only then', async () => {
    const body = ['--b', 'Content-Type: text/plain; charset=utf-8', '', '纯文本举报内容', '--b', 'Content-Type: text/html; charset=utf-8', '', '<p>HTML 举报内容</p>', '--b--', ''].join('\n');
    const r = await parse(mail([...BASE, 'Message-ID: <h2@example.com>', 'Subject: alt', 'Content-Type: multipart/alternative; boundary="b"'], body));
    expect(r.submission.text).toBe('纯文本举报内容');
    expect(r.submission.flags).not.toContain('html_only');
  });

  it.each([
    ['> lines', '补充一下：工厂今晚又在排烟。\n\n> 您的举报已受理，受理编号 WS123。\n> 生态环境局'],
    ['原始邮件 separator', '补充一下：工厂今晚又在排烟。\n\n------------------ 原始邮件 ------------------\n发件人: 生态环境局\n发送时间: 2024年9月3日\n主题: 您的举报已受理\n\n您的举报已受理，受理编号 WS123。'],
    ['在…写道', '补充一下：工厂今晚又在排烟。\n\n在 2024年9月3日 周二 10:00，生态环境局 <jubao@sthjj.example.gov.cn> 写道：\n> 您的举报已受理，受理编号 WS123。'],
    ['On … wrote', '补充一下：工厂今晚又在排烟。\n\nOn Tue, Sep 3, 2024 at 10:00 AM Bureau <jubao@sthjj.example.gov.cn> wrote:\n> 您的举报已受理，受理编号 WS123。'],
    ['-----Original Message-----', '补充一下：工厂今晚又在排烟。\n\n-----Original Message-----\nFrom: Bureau\nSent: Tuesday\nSubject: 受理\n\n您的举报已受理，受理编号 WS123。'],
  ])('separates a quoted reply (%s) from the complainant words', async (_name, body) => {
    const r = await parse(mail([...BASE, 'Message-ID: <q@example.com>', 'Subject: Re: 您的举报已受理', 'Content-Type: text/plain; charset=utf-8'], body));
    expect(r.submission.text).toBe('补充一下：工厂今晚又在排烟。');
    expect(r.submission.flags).toContain('quoted_reply_removed');
    expect(String(r.submission.extra?.quotedText)).toContain('受理编号 WS123');
  });

  it('keeps a forwarded complaint (Forwarded message marker) as the text, with the forwarder note', async () => {
    const body = '居民反映的问题，麻烦核实一下。\n\n---------- Forwarded message ---------\nFrom: 朱秀兰 <zxl@126.example.net>\nDate: 2024年9月12日 12:05\nSubject: 举报：工业噪声扰民\nTo: hbzg@jiedao.example.org\n\n尊敬的生态环境局：\n学校附近的石材加工厂夜里噪音不停。\n';
    const r = await parse(mail([...BASE, 'Message-ID: <f1@example.com>', `Subject: ${word('Fwd: 举报：工业噪声扰民')}`, 'Content-Type: text/plain; charset=utf-8'], body));
    expect(r.submission.text).toBe('居民反映的问题，麻烦核实一下。\n\n尊敬的生态环境局：\n学校附近的石材加工厂夜里噪音不停。');
    expect(r.submission.flags).toContain('forwarded');
    expect(r.submission.flags).not.toContain('quoted_reply_removed');
    expect(r.submission.extra).toMatchObject({ forwardNote: '居民反映的问题，麻烦核实一下。', forwardedFrom: '朱秀兰 <zxl@126.example.net>' });
  });

  it('keeps a 转发： complaint quoted inline with "> " and no separator', async () => {
    const body = '> 发件人: 王芳\n> 主题: 河道发臭\n>\n> 村口的河道发黑发臭，已经半年了。\n';
    const r = await parse(mail([...BASE, 'Message-ID: <f2@example.com>', `Subject: ${word('转发：河道发臭')}`, 'Content-Type: text/plain; charset=utf-8'], body));
    expect(r.submission.text).toBe('村口的河道发黑发臭，已经半年了。');
    expect(r.submission.flags).toContain('forwarded');
  });

  it('reads an attached message/rfc822 as the forwarded complaint', async () => {
    const inner = ['From: =?UTF-8?B?546L6Iqz?= <wf@example.com>', 'Subject: =?UTF-8?B?5rKz6YGT5Y+R6Ie0?=', 'Content-Type: text/plain; charset=gbk', 'Content-Transfer-Encoding: base64', '', b64(iconv.encode('养殖场粪水直排进河道。', 'gbk'))].join('\r\n');
    const body = ['--o', 'Content-Type: text/plain; charset=utf-8', '', '请处理', '--o', 'Content-Type: message/rfc822', 'Content-Disposition: attachment; filename="original.eml"', '', inner, '--o--', ''].join('\r\n');
    const r = await parse(mail([...BASE, 'Message-ID: <f3@example.com>', 'Subject: FW: complaint', 'Content-Type: multipart/mixed; boundary="o"'], body));
    expect(r.submission.text).toBe('请处理\n\n养殖场粪水直排进河道。');
    expect(r.submission.flags).toContain('forwarded');
    expect(r.submission.extra?.forwardedFrom).toBe('王芳 <wf@example.com>');
  });
});

describe('parseEmail: attachments', () => {
  const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)]);
  const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(3000, 1)]);
  const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(500, 2)]);

  function withParts(parts: { headers: string[]; bytes: Buffer }[]): Buffer {
    const lines = ['--m', 'Content-Type: text/plain; charset=utf-8', '', '见附件照片。'];
    for (const p of parts) lines.push('--m', ...p.headers, 'Content-Transfer-Encoding: base64', '', b64(p.bytes));
    lines.push('--m--', '');
    return mail([...BASE, 'Message-ID: <att@example.com>', 'Subject: att', 'Content-Type: multipart/mixed; boundary="m"'], lines.join('\r\n'));
  }

  it('decodes RFC 2231 and RFC 2047 file names and returns the bytes with type and size', async () => {
    const gbName = [...iconv.encode('现场照片.jpg', 'gbk')].map((x) => `%${x.toString(16).toUpperCase()}`).join('');
    const r = await parse(withParts([
      { headers: ['Content-Type: image/jpeg', `Content-Disposition: attachment;\r\n filename*0*=gb2312''${gbName.slice(0, 24)};\r\n filename*1*=${gbName.slice(24)}`], bytes: JPEG },
      { headers: [`Content-Type: application/octet-stream; name="${word('举报材料.pdf')}"`, 'Content-Disposition: attachment'], bytes: PDF },
    ]));
    expect(r.attachments.map((a) => [a.meta.filename, a.meta.contentType, a.meta.size, a.meta.refused, a.meta.blobKey])).toEqual([
      ['现场照片.jpg', 'image/jpeg', JPEG.length, null, null],
      ['举报材料.pdf', 'application/pdf', PDF.length, null, null],
    ]);
    expect(r.attachments[0].content?.equals(JPEG)).toBe(true);
    expect(r.attachments[1].meta.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.submission.attachments).toHaveLength(2);
    expect(r.submission.text).toBe('见附件照片。');
  });

  it('refuses by type, per-file size and per-message cap, listing refused files without bytes', async () => {
    const r = await parse(
      withParts([
        { headers: ['Content-Type: application/x-msdownload; name="setup.exe"'], bytes: EXE },
        { headers: ['Content-Type: image/jpeg; name="disguised.jpg"'], bytes: EXE },
        { headers: ['Content-Type: image/jpeg; name="a.jpg"'], bytes: JPEG },
        { headers: ['Content-Type: application/pdf; name="big.pdf"'], bytes: PDF },
        { headers: ['Content-Type: image/jpeg; name="b.jpg"'], bytes: JPEG },
      ]),
      { maxAttachmentBytes: 2500, maxTotalAttachmentBytes: 3000 },
    );
    expect(r.attachments.map((a) => [a.meta.filename, a.meta.refused, a.content === null])).toEqual([
      ['setup.exe', 'type_not_allowed', true],
      ['disguised.jpg', 'type_not_allowed', true],
      ['a.jpg', null, false],
      ['big.pdf', 'too_large', true],
      ['b.jpg', 'message_cap', true],
    ]);
    expect(r.submission.flags).toContain('attachment_refused');
    expect(r.submission.rejectHint).toBeNull();
    expect(r.submission.text).toBe('见附件照片。');
  });

  it('honours a custom allowlist', async () => {
    const r = await parse(withParts([{ headers: ['Content-Type: application/pdf; name="x.pdf"'], bytes: PDF }]), { allowedContentTypes: ['image/*'] });
    expect(r.attachments[0].meta.refused).toBe('type_not_allowed');
  });

  it('does not decode an attachment far over the size cap, but reports its approximate size', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 0x41);
    const r = await parse(withParts([{ headers: ['Content-Type: image/png; name="huge.png"'], bytes: big }]), { maxAttachmentBytes: 1024 * 1024 });
    const [a] = r.attachments;
    expect(a.content).toBeNull();
    expect(a.meta.refused).toBe('too_large');
    expect(a.meta.size).toBeGreaterThan(3 * 1024 * 1024 - 1024);
    expect(a.meta.size).toBeLessThanOrEqual(3 * 1024 * 1024);
    expect(r.submission.text).toBe('见附件照片。');
  });
});

describe('parseEmail: auto-replies and bounces', () => {
  const text = ['Content-Type: text/plain; charset=utf-8'];
  it.each([
    [['Auto-Submitted: auto-replied'], 'Subject: 您的举报已受理'],
    [['X-Autoreply: yes'], 'Subject: hello'],
    [['X-Autorespond: 1'], 'Subject: hello'],
    [['Precedence: auto_reply'], 'Subject: hello'],
    [['Precedence: junk'], 'Subject: hello'],
    [[], `Subject: ${word('自动回复：您的举报已受理')}`],
    [[], 'Subject: Out of Office: back Monday'],
    [[], 'Subject: Automatic reply: 您的举报已受理'],
  ])('marks %j %s as auto_reply with the reason', async (extra, subject) => {
    const r = await parse(mail([...BASE, 'Message-ID: <ar@example.com>', subject, ...extra, ...text], '我不在办公室。'));
    expect(r.submission.rejectHint).toBe('auto_reply');
    expect(String(r.submission.extra?.rejectReason)).not.toBe('');
  });

  it('does not mark Auto-Submitted: no or an ordinary complaint', async () => {
    for (const h of [['Auto-Submitted: no'], []]) {
      const r = await parse(mail([...BASE, 'Message-ID: <n@example.com>', 'Subject: 举报工厂排污', ...h, ...text], '工厂排污。'));
      expect(r.submission.rejectHint).toBeNull();
    }
  });

  it('marks a delivery-status report as bounce and shows the DSN reason', async () => {
    const body = [
      '--r', 'Content-Type: text/plain', '', 'Your message could not be delivered.',
      '--r', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.example.cn', '', 'Final-Recipient: rfc822; a@b.cn', 'Action: failed', 'Status: 5.1.1', 'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
      '--r', 'Content-Type: message/rfc822', '', 'From: x@y.cn', 'Subject: original', '', 'original body',
      '--r--', '',
    ].join('\r\n');
    const r = await parse(mail(['From: Mail Delivery System <postmaster@mx.example.cn>', 'Message-ID: <dsn@mx.example.cn>', 'Subject: Delivery Status Notification (Failure)', 'Content-Type: multipart/report; report-type=delivery-status; boundary="r"'], body));
    expect(r.submission.rejectHint).toBe('bounce');
    expect(String(r.submission.extra?.rejectReason)).toContain('550 5.1.1 User unknown');
    expect(r.submission.text).toBe('Your message could not be delivered.');
    expect(r.submission.flags).not.toContain('forwarded');
  });

  it('marks plain mail from MAILER-DAEMON as bounce', async () => {
    const r = await parse(mail(['From: MAILER-DAEMON@mx.example.cn (Mail Delivery System)', 'Message-ID: <b2@mx.example.cn>', 'Subject: failure notice', ...text], 'delivery failed'));
    expect(r.submission.rejectHint).toBe('bounce');
  });
});

describe('parseEmail: source ref and date', () => {
  const body = '工厂排污，请处理。\r\n';
  const headers = ['From: a@example.com', 'Subject: =?UTF-8?B?5Li+5oql?=', 'Date: Tue, 3 Sep 2024 20:26:02 +0800 (CST)', 'Content-Type: text/plain; charset=utf-8'];

  it('uses the Message-ID without brackets, trimmed', async () => {
    const r = await parse(mail([...headers, 'Message-ID:  < 1725.abc@qq.example.com >'], body));
    expect(r.submission.ref).toBe('1725.abc@qq.example.com');
    expect(r.submission.submittedAt).toBe('2024-09-03T12:26:02.000Z');
  });

  it('hashes a message without Message-ID stably across deliveries and line-end styles', async () => {
    const first = await parse(mail(['Received: from a by b; Tue, 3 Sep 2024 20:26:03 +0800', ...headers], body));
    const again = await parse(mail(['Received: from mx2 by mx3; Tue, 3 Sep 2024 20:30:00 +0800', 'Delivered-To: other@example.com', 'Received: from a by b; Tue, 3 Sep 2024 20:26:03 +0800', 'X-Spam-Score: 1.2', ...headers], body));
    const lf = await parse(Buffer.from(mail(headers, body).toString('utf8').replace(/\r\n/g, '\n')));
    const other = await parse(mail(headers, '另一条举报。\r\n'));
    expect(first.submission.ref).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(again.submission.ref).toBe(first.submission.ref);
    expect(lf.submission.ref).toBe(first.submission.ref);
    expect(other.submission.ref).not.toBe(first.submission.ref);
    expect(first.submission.flags).toContain('missing_message_id');
  });

  it('flags an invalid date and leaves submittedAt null', async () => {
    const r = await parse(mail(['From: a@example.com', 'Message-ID: <d@x>', 'Date: the day before yesterday', 'Subject: x'], 'x'));
    expect(r.submission.submittedAt).toBeNull();
    expect(r.submission.flags).toContain('invalid_date');
  });
});

describe('parseEmail: malformed and hostile input', () => {
  it.each([
    ['multipart without boundary', mail([...BASE, 'Message-ID: <m1@x>', 'Subject: x', 'Content-Type: multipart/mixed'], '--zzz\r\nContent-Type: text/plain\r\n\r\n工厂排污\r\n--zzz--\r\n')],
    ['unterminated multipart', mail([...BASE, 'Message-ID: <m2@x>', 'Subject: x', 'Content-Type: multipart/mixed; boundary="b"'], '--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n工厂排污\r\n--b\r\nContent-Type: image/jpeg; name="a.jpg"\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ')],
    ['bad base64', mail([...BASE, 'Message-ID: <m3@x>', 'Subject: x', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64'], '5bel5Y6C!!!5o6S5rGh***\r\n====\r\n@@')],
    ['empty input', Buffer.alloc(0)],
    ['not a mail at all', Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a, 0x0a, 0xfe])],
    ['header without colon and a first line starting with a space', Buffer.from(' bogus\r\nno colon here\r\nSubject: x\r\n\r\nbody')],
  ])('still gives a submission for %s', async (_name, raw) => {
    const r = await parse(raw);
    expect(typeof r.submission.text).toBe('string');
    expect(r.submission.ref.length).toBeGreaterThan(0);
  });

  it('keeps the text of a multipart without boundary and of an unterminated multipart', async () => {
    const r = await parse(mail([...BASE, 'Message-ID: <m2@x>', 'Subject: x', 'Content-Type: multipart/mixed; boundary="b"'], '--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n工厂排污\r\n--b\r\nContent-Type: image/jpeg; name="a.jpg"\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ'));
    expect(r.submission.text).toBe('工厂排污');
    expect(r.attachments[0].meta.filename).toBe('a.jpg');
  });

  it('refuses deep nesting, endless parts and header floods as unparseable instead of throwing', async () => {
    let nested = '';
    for (let i = 1; i < 60; i++) nested += `--b${i - 1}\r\nContent-Type: multipart/mixed; boundary="b${i}"\r\n\r\n`;
    const deep = await parseEmail(mail(['Message-ID: <deep@x>', 'Subject: x', 'Content-Type: multipart/mixed; boundary="b0"'], nested), { maxNestingDepth: 20 });
    const parts = await parseEmail(mail(['Content-Type: multipart/mixed; boundary="p"'], '--p\r\n\r\nx\r\n'.repeat(2000)), { maxParts: 100 });
    const floods = await parseEmail(mail(Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`), 'x'), { maxHeaderLines: 1000 });
    for (const r of [deep, parts, floods]) {
      expect(isEmailParseFailure(r)).toBe(true);
      if (isEmailParseFailure(r)) expect(r.error.reason).toBe('unparseable');
    }
  });

  it('stops at the time budget', async () => {
    const many = mail(['Content-Type: multipart/mixed; boundary="p"'], '--p\r\n\r\nx\r\n'.repeat(50000));
    const t0 = Date.now();
    const r = await parseEmail(many, { timeBudgetMs: 1, maxParts: 1_000_000 });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(isEmailParseFailure(r) && r.error.detail).toMatch(/time budget/);
  });

  it('rejects nonsense limits loudly rather than switching them off', async () => {
    await expect(parseEmail(Buffer.from('x'), { maxAttachmentBytes: -1 })).rejects.toThrow(TypeError);
  });
});
