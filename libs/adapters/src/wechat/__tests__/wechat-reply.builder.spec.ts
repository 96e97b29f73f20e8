import { decryptMessage } from '../wechat-crypto.util';
import { buildEncryptedReply, buildTextReply } from '../wechat-reply.builder';
import { verifyMsgSignature } from '../wechat-signature.util';
import { parseWechatXml } from '../wechat-xml.parser';

describe('buildTextReply', () => {
  it('builds the passive text reply WeChat expects', () => {
    expect(buildTextReply({ to: 'oUser', from: 'gh_acct', content: '已收到您的举报', createTime: 1725180990 })).toBe(
      '<xml><ToUserName><![CDATA[oUser]]></ToUserName><FromUserName><![CDATA[gh_acct]]></FromUserName>' +
        '<CreateTime>1725180990</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[已收到您的举报]]></Content></xml>',
    );
  });

  it('splits ]]> so the content survives a round trip unchanged', () => {
    const content = 'a ]]> b ]]]]> <tag> &amp;';
    const xml = buildTextReply({ to: 'o', from: 'g', content, createTime: 1 });
    expect(xml).toContain(']]]]><![CDATA[>');
    expect(parseWechatXml(xml).Content).toBe(content);
  });

  it('drops characters XML 1.0 cannot carry', () => {
    const xml = buildTextReply({ to: 'o', from: 'g', content: 'ok\u0000\u0007\ud800 done\t', createTime: 1 });
    expect(parseWechatXml(xml).Content).toBe('ok done\t');
  });
});

describe('buildEncryptedReply', () => {
  it('produces an envelope whose signature verifies and whose Encrypt decrypts to the reply', () => {
    const settings = { token: 'tok', encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', appId: 'wxappid0001', timestamp: '1725180990', nonce: 'n0nce' };
    const reply = buildTextReply({ to: 'o', from: 'g', content: '收到', createTime: 1725180990 });
    const envelope = parseWechatXml(buildEncryptedReply(reply, settings));
    expect(envelope.TimeStamp).toBe('1725180990');
    expect(envelope.Nonce).toBe('n0nce');
    const encrypt = envelope.Encrypt as string;
    expect(verifyMsgSignature({ token: 'tok', timestamp: '1725180990', nonce: 'n0nce', encrypt, msgSignature: envelope.MsgSignature as string })).toBe(true);
    expect(decryptMessage(encrypt, settings)).toBe(reply);
  });
});
