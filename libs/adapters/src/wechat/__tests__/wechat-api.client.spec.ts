import { cutToBytes, MemoryWechatTokenCache, WechatApiError } from '../wechat-api.client';
import { WechatAdapter, wechatSenderOf, wechatSettingsOf } from '../wechat.adapter';

describe('wechat customer-service messages', () => {
  it('tells a token to refresh from a follower no retry can reach, and from a passing failure', () => {
    expect(new WechatApiError(42001, 'access_token expired', 'custom_send')).toMatchObject({ tokenRejected: true, permanent: false });
    expect(new WechatApiError(40001, 'invalid credential', 'custom_send')).toMatchObject({ tokenRejected: true, permanent: false });
    expect(new WechatApiError(43004, 'require subscribe', 'custom_send')).toMatchObject({ tokenRejected: false, permanent: true });
    expect(new WechatApiError(45015, 'response out of time limit', 'custom_send').permanent).toBe(true);
    expect(new WechatApiError(-1, 'system error', 'custom_send').permanent).toBe(false);
    expect(new WechatApiError(45009, 'reach max api daily quota limit', 'custom_send').permanent).toBe(false);
  });

  it('cuts a long text on a character boundary within the byte limit', () => {
    expect(cutToBytes('回执号 ABCD-EFGH', 2000)).toBe('回执号 ABCD-EFGH');
    const cut = cutToBytes('污'.repeat(1000), 2000);
    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(2000);
    expect(cut.endsWith('污…')).toBe(true);
  });

  it('keeps a token until its time, and drops only the token named', async () => {
    const cache = new MemoryWechatTokenCache();
    await cache.set('wx1', 'a', 60_000);
    await cache.drop('wx1', 'b');
    expect(await cache.get('wx1')).toBe('a');
    await cache.drop('wx1', 'a');
    expect(await cache.get('wx1')).toBeNull();
    await cache.set('wx1', 'c', -1);
    expect(await cache.get('wx1')).toBeNull();
  });

  it('sends only for a channel with both AppID and AppSecret, checked when the channel is saved', () => {
    const settings = wechatSettingsOf({ appId: 'wx5f8a1c3e7b9d2f40' });
    expect(settings.apiRoot).toBe('https://api.weixin.qq.com');
    expect(wechatSenderOf(settings, { token: 't0k', appSecret: '0123456789abcdef0123456789abcdef' })).toEqual({
      apiRoot: 'https://api.weixin.qq.com',
      appId: 'wx5f8a1c3e7b9d2f40',
      appSecret: '0123456789abcdef0123456789abcdef',
    });
    expect(wechatSenderOf(settings, { token: 't0k' })).toBeNull();
    expect(wechatSenderOf(wechatSettingsOf({}), { appSecret: '0123456789abcdef0123456789abcdef' })).toBeNull();
    const adapter = new WechatAdapter();
    expect(adapter.checkCredentials({}, { token: 't0k', appSecret: '0123456789abcdef0123456789abcdef' })).toEqual([
      { path: 'credentials.appSecret', message: 'customer-service messages need settings.appId as well' },
    ]);
    expect(adapter.checkCredentials({ appId: 'wx1' }, { token: 't0k', appSecret: 'x y' })).toEqual([{ path: 'credentials.appSecret', message: expect.stringMatching(/AppSecret/) }]);
    expect(adapter.checkCredentials({ appId: 'wx1' }, { token: 't0k', appSecret: '0123456789abcdef0123456789abcdef' })).toEqual([]);
  });
});
