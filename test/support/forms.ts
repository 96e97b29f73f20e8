import { randomUUID } from 'node:crypto';

/** A web form body as the public complaint form (version 2.x) posts it. */
export function webForm(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    form_version: '2.1',
    submitted_at: '2024-09-01T04:32:39+08:00',
    client_token: randomUUID(),
    title: '化工厂排放黑烟',
    content: '南京市玄武区中山路100号的宏达化工厂每天晚上排放黑烟，气味刺鼻，窗户都不敢开，请尽快查处。',
    address: '江苏省南京市玄武区中山路100号',
    district_code: '320102',
    anonymous: false,
    contact_name: '张晓明',
    contact_phone: '13912345678',
    attachments: [],
    user_agent: 'Mozilla/5.0',
    ...over,
  };
}
