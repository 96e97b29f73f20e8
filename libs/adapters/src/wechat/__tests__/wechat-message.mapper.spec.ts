import { toConversationMessage } from '../wechat-message.mapper';
import { parseWechatXml } from '../wechat-xml.parser';
import { WechatRejectedError } from '../wechat.errors';

const FROM = 'oVf3aoTx518dK29aPU7QR4mojsV4l';

function push(msgType: string, fields: string, createTime = '1725180986'): string {
  return `<xml><ToUserName><![CDATA[gh_7a1c3e5f9b2d]]></ToUserName><FromUserName><![CDATA[${FROM}]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[${msgType}]]></MsgType>${fields}</xml>`;
}

function message(xml: string) {
  return toConversationMessage(parseWechatXml(xml));
}

describe('toConversationMessage', () => {
  it('maps a text message: MsgId is the ref, CreateTime the time, the OpenID the conversation', () => {
    const m = message(push('text', '<Content><![CDATA[  小区门口烧烤油烟太大  ]]></Content><MsgId>24613589088009483</MsgId>'));
    expect(m).toEqual({
      channelType: 'wechat',
      conversationKey: FROM,
      ref: '24613589088009483',
      at: 1725180986000,
      kind: 'text',
      text: '小区门口烧烤油烟太大',
      command: null,
      location: null,
      attachment: null,
      sender: { handle: FROM, name: null },
      editOf: null,
      event: null,
    });
  });

  it('maps an image to a photo whose attachment is fetched later by MediaId, else by PicUrl', () => {
    const m = message(push('image', '<PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]></PicUrl><MsgId>1</MsgId><MediaId><![CDATA[media-123]]></MediaId>'));
    expect(m.kind).toBe('photo');
    expect(m.text).toBeNull();
    expect(m.attachment).toEqual({ sourceRef: 'media-123', filename: null, contentType: null, size: null });
    const urlOnly = message(push('image', '<PicUrl><![CDATA[http://mmbiz.qpic.cn/y]]></PicUrl><MsgId>2</MsgId>'));
    expect(urlOnly.attachment?.sourceRef).toBe('http://mmbiz.qpic.cn/y');
  });

  it('takes the recognised speech of a voice message as its text', () => {
    const m = message(push('voice', '<MediaId><![CDATA[v-1]]></MediaId><Format><![CDATA[amr]]></Format><MsgId>3</MsgId><Recognition><![CDATA[工地夜里还在打桩]]></Recognition>'));
    expect(m).toMatchObject({ kind: 'voice', text: '工地夜里还在打桩', ref: '3', attachment: { sourceRef: 'v-1', contentType: 'audio/amr' } });
    const unrecognised = message(push('voice', '<MediaId><![CDATA[v-2]]></MediaId><Format><![CDATA[speex]]></Format><MsgId>4</MsgId><Recognition><![CDATA[]]></Recognition>'));
    expect(unrecognised.text).toBeNull();
    expect(unrecognised.attachment?.contentType).toBe('audio/speex');
  });

  it('maps video and short video to kind video', () => {
    expect(message(push('video', '<MediaId><![CDATA[m]]></MediaId><ThumbMediaId><![CDATA[t]]></ThumbMediaId><MsgId>5</MsgId>'))).toMatchObject({ kind: 'video', attachment: { sourceRef: 'm' } });
    expect(message(push('shortvideo', '<MediaId><![CDATA[s]]></MediaId><MsgId>6</MsgId>')).kind).toBe('video');
  });

  it('reads Location_X as latitude and Location_Y as longitude', () => {
    const m = message(push('location', '<Location_X>30.274085</Location_X><Location_Y>120.155070</Location_Y><Scale>15</Scale><Label><![CDATA[浙江省杭州市西湖区]]></Label><MsgId>7</MsgId>'));
    expect(m).toMatchObject({ kind: 'location', ref: '7', location: { lat: 30.274085, lng: 120.15507, label: '浙江省杭州市西湖区' } });
  });

  it('drops coordinates that are not numbers or out of range', () => {
    expect(message(push('location', '<Location_X>abc</Location_X><Location_Y>120</Location_Y><MsgId>8</MsgId>')).location).toBeNull();
    expect(message(push('location', '<Location_X>120</Location_X><Location_Y>30</Location_Y><MsgId>9</MsgId>')).location).toBeNull();
  });

  it('turns a shared link into text made of its title, description and address', () => {
    const m = message(push('link', '<Title><![CDATA[某厂违法排污曝光]]></Title><Description><![CDATA[记者暗访]]></Description><Url><![CDATA[https://example.cn/a]]></Url><MsgId>10</MsgId>'));
    expect(m).toMatchObject({ kind: 'text', text: '某厂违法排污曝光\n记者暗访\nhttps://example.cn/a' });
  });

  it.each(['subscribe', 'unsubscribe', 'CLICK', 'VIEW', 'SCAN'])('maps the %s event with the sender and second as its ref', (event) => {
    const m = message(push('event', `<Event><![CDATA[${event}]]></Event><EventKey><![CDATA[k]]></EventKey>`, '1725145684'));
    expect(m).toMatchObject({ kind: 'event', event, ref: `${FROM}:1725145684`, at: 1725145684000, text: null, location: null });
  });

  it('keeps the position reported by a LOCATION event and by the location picker', () => {
    const reported = message(push('event', '<Event><![CDATA[LOCATION]]></Event><Latitude>23.137466</Latitude><Longitude>113.352425</Longitude><Precision>119.385040</Precision>'));
    expect(reported).toMatchObject({ kind: 'event', event: 'LOCATION', location: { lat: 23.137466, lng: 113.352425, label: null } });
    const picked = message(
      push('event', '<Event><![CDATA[location_select]]></Event><SendLocationInfo><Location_X><![CDATA[23]]></Location_X><Location_Y><![CDATA[113]]></Location_Y><Label><![CDATA[广州市海珠区]]></Label></SendLocationInfo>'),
    );
    expect(picked.location).toEqual({ lat: 23, lng: 113, label: '广州市海珠区' });
  });

  it('keeps an unknown message type as kind other, with its MsgId as ref', () => {
    expect(message(push('miniprogrampage', '<Title><![CDATA[t]]></Title><MsgId>11</MsgId>'))).toMatchObject({ kind: 'other', ref: '11', text: null });
  });

  it('refuses a push without sender, time or type, or with a time that is not epoch seconds', () => {
    const code = (xml: string) => {
      try {
        message(xml);
        return 'accepted';
      } catch (error) {
        return error instanceof WechatRejectedError ? error.code : 'crash';
      }
    };
    expect(code('<xml><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType></xml>')).toBe('missing_field');
    expect(code(`<xml><FromUserName>a</FromUserName><MsgType><![CDATA[text]]></MsgType></xml>`)).toBe('missing_field');
    expect(code(`<xml><FromUserName>a</FromUserName><CreateTime>1</CreateTime></xml>`)).toBe('missing_field');
    expect(code(push('text', '<Content>x</Content>', '2024-09-01'))).toBe('bad_field');
    expect(code('<xml><FromUserName><x>nested</x></FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>')).toBe('missing_field');
  });
});
