/**
 * Whose conversation a Telegram message belongs to. In a private chat the chat is the person, so the chat
 * id is the key (as it always was). In a group everyone writes into one chat: each member gets a
 * conversation of their own, `<chat id>:<member id>`, so their drafts, receipts and `/status` answers never
 * mix with another member's. Answers still go into the chat the member wrote in.
 */
export function telegramConversationKey(chatId: number | string, speakerId: number | string | null): string {
  const chat = String(chatId);
  if (speakerId === null || String(speakerId) === '' || String(speakerId) === chat) return chat;
  return `${chat}:${speakerId}`;
}

/** The chat to answer a conversation in: the part of the key before the member. */
export function chatOfConversation(conversationKey: string): string {
  const colon = conversationKey.indexOf(':');
  return colon < 0 ? conversationKey : conversationKey.slice(0, colon);
}

/** True for a member's conversation inside a group, where an answer must say whom it is for. */
export function isGroupConversation(conversationKey: string): boolean {
  return conversationKey.includes(':');
}

/** The message id in a message ref (`<chat id>:<message id>`); null when the ref is not one. */
export function messageIdOfRef(ref: string | null | undefined): number | null {
  const m = /^-?\d+:(\d+)$/.exec(ref ?? '');
  return m ? Number(m[1]) : null;
}
