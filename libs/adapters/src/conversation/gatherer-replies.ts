import type { GathererReplies } from './gatherer.types';
import { formatReceipt } from './receipt.util';

/** The bot's answers. Channel-neutral wording: WeChat users cannot send commands, so words are offered too. */
export const DEFAULT_REPLIES: GathererReplies = {
  welcome:
    '您好，这里是生态环境问题举报受理。请直接发送：发生了什么问题（如冒黑烟、排污水、噪声扰民）、具体地点（可发送位置）、' +
    '涉及的单位名称，可附照片。发完后回复“确认”或 /done 提交；回复“取消”或 /cancel 放弃；' +
    '查询办理进度请发送 /status 回执号。',
  draftOpened: (quietMinutes) =>
    `已收到。可继续补充文字、照片或位置；补充完毕请回复“确认”或 /done。${quietMinutes} 分钟内没有新消息将自动提交。`,
  submitted: (receipt, messageCount) =>
    `您的举报已提交（共 ${messageCount} 条消息），回执号 ${formatReceipt(receipt)}。查询进度请发送 /status ${formatReceipt(receipt)}。`,
  amended: (receipt) => `已按您修改后的内容更新举报 ${formatReceipt(receipt)}。`,
  cancelled: '已取消，本次发送的内容不会提交。',
  nothingPending: '当前没有待提交的内容。请直接发送您要举报的问题。',
  statusUsage: '请在 /status 后面附上回执号，例如：/status ABCD-EFGH',
  badReceipt: '没有认出这个回执号，请核对后重新发送（8 位字母数字，例如 ABCD-EFGH）。',
  unknownCommand: '暂不支持这个命令。可用命令：/start 使用说明，/done 提交，/cancel 取消，/status 回执号 查询进度。',
};
