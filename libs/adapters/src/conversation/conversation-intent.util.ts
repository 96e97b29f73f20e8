/**
 * What a short text means for the conversation, when it is a control word rather than part of the
 * complaint. Only whole messages match ("确认" confirms, "确认一下那个工厂…" is complaint text), because a
 * false match would close or drop a complaint.
 */
export type TextIntent = { type: 'confirm' } | { type: 'cancel' } | { type: 'status'; receipt: string | null };

const CONFIRM = new Set([
  '确认', '确定', '提交', '确认提交', '好了', '好的', '完成', '完毕', '就这些', '就这样', '没了', '没有了', '发完了', '可以了', '行了',
  '確認', '確定', '提交', '確認提交', '完畢', '沒了', '沒有了', '發完了',
  'ok', 'okay', 'done', 'submit', 'yes',
]);
const CANCEL = new Set(['取消', '撤销', '撤回', '不举报了', '不用了', '撤銷', '不舉報了', 'cancel']);
// "查询 ABCD-EFGH", "进度ABCDEFGH", "回执号：ABCD EFGH": chat users without commands (WeChat) ask this way.
const STATUS = /^(?:查询|查詢|查询进度|查詢進度|进度|進度|回执|回執|回执号|回執號|status)\s*[:：#]?\s*([0-9A-Za-z][0-9A-Za-z\s-]{6,12})?$/i;

export function textIntent(text: string | null | undefined): TextIntent | null {
  if (!text) return null;
  const bare = text
    .normalize('NFKC')
    .trim()
    .replace(/[\s。.!！~～,，、…]+$/u, '')
    .replace(/^[\s]+/u, '');
  if (bare === '') return null;
  const lower = bare.toLowerCase();
  if (CONFIRM.has(lower)) return { type: 'confirm' };
  if (CANCEL.has(lower)) return { type: 'cancel' };
  const status = STATUS.exec(bare);
  if (status) return { type: 'status', receipt: status[1]?.trim() ?? null };
  return null;
}
