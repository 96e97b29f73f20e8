import { chatIdOf } from '../telegram-bot.client';
import { chatOfConversation, isGroupConversation, messageIdOfRef, telegramConversationKey } from '../telegram-conversation.util';

describe('telegram conversation keys', () => {
  it('keys a private chat by the chat and a group member by chat and member', () => {
    expect(telegramConversationKey(5550001, 5550001)).toBe('5550001');
    expect(telegramConversationKey(-1001, null)).toBe('-1001');
    expect(telegramConversationKey(-1002233445566, 5550002)).toBe('-1002233445566:5550002');
  });

  it('answers in the chat of the conversation, replying to the member in a group', () => {
    expect(chatOfConversation('-1002233445566:5550002')).toBe('-1002233445566');
    expect(chatIdOf('-1002233445566:5550002')).toBe(-1002233445566);
    expect(chatIdOf('5550001')).toBe(5550001);
    expect(chatIdOf('@huiliu_channel')).toBe('@huiliu_channel');
    expect(isGroupConversation('-1002233445566:5550002')).toBe(true);
    expect(isGroupConversation('5550001')).toBe(false);
    expect(messageIdOfRef('-1002233445566:28')).toBe(28);
    expect(messageIdOfRef('update:9')).toBeNull();
    expect(messageIdOfRef(null)).toBeNull();
  });
});
