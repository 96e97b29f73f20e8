import { commandIsForThisBot, parseBotCommand } from '../telegram-command.parser';
import { readUpdate } from '../telegram-update.parser';

const USER = { id: 5550001, is_bot: false, first_name: '晓东', last_name: '周' };
const PRIVATE = { id: 5550001, type: 'private', first_name: '晓东' };
const GROUP = { id: -1002000000001, type: 'supergroup', title: '锁金村业主群' };
const DATE = 1725146165;

function update(text: string, chat: Record<string, unknown>, kind = 'message') {
  return { update_id: 900001, [kind]: { message_id: 28, from: USER, chat, date: DATE, ...(kind.startsWith('edited') ? { edit_date: DATE + 60 } : {}), text } };
}

describe('commandIsForThisBot', () => {
  const cmd = (text: string) => parseBotCommand(text)!;

  it('takes a command without a bot name, in any chat', () => {
    expect(commandIsForThisBot(cmd('/done'), 'supergroup', 'Huiliu_bot')).toBe(true);
    expect(commandIsForThisBot(cmd('/done'), 'group', null)).toBe(true);
    expect(commandIsForThisBot(cmd('/done'), 'private', 'Huiliu_bot')).toBe(true);
  });

  it('in a group takes only a command naming this bot, whatever the letter case', () => {
    expect(commandIsForThisBot(cmd('/done@Huiliu_bot'), 'supergroup', 'Huiliu_bot')).toBe(true);
    expect(commandIsForThisBot(cmd('/done@HUILIU_BOT'), 'group', 'huiliu_bot')).toBe(true);
    expect(commandIsForThisBot(cmd('/done@huiliu_bot'), 'group', '@Huiliu_bot')).toBe(true);
    expect(commandIsForThisBot(cmd('/done@OtherBot'), 'supergroup', 'Huiliu_bot')).toBe(false);
    expect(commandIsForThisBot(cmd('/done@Huiliu_bot2'), 'group', 'Huiliu_bot')).toBe(false);
    expect(commandIsForThisBot(cmd('/status@OtherBot'), 'channel', 'Huiliu_bot')).toBe(false);
  });

  it('in a group claims no named command while this bot’s name is not known', () => {
    expect(commandIsForThisBot(cmd('/cancel@Huiliu_bot'), 'supergroup', null)).toBe(false);
    expect(commandIsForThisBot(cmd('/cancel@Huiliu_bot'), undefined, undefined)).toBe(false);
  });

  it('in a private chat takes a command whatever bot it names: there is no other bot there', () => {
    expect(commandIsForThisBot(cmd('/start@OtherBot'), 'private', 'Huiliu_bot')).toBe(true);
    expect(commandIsForThisBot(cmd('/start@OtherBot'), 'private', null)).toBe(true);
  });
});

describe('readUpdate: commands for another bot', () => {
  it('ignores another bot’s command in a group entirely, also when edited', () => {
    expect(readUpdate(update('/done@OtherBot', GROUP), { botUsername: 'Huiliu_bot' })).toEqual({ ok: false, updateId: 900001, reason: 'command_for_another_bot' });
    expect(readUpdate(update('/cancel@OtherBot now', GROUP, 'edited_message'), { botUsername: 'Huiliu_bot' })).toMatchObject({ ok: false, reason: 'command_for_another_bot' });
  });

  it('reads this bot’s command in a group, named in any letter case, and a bare one', () => {
    const named = readUpdate(update('/done@HUILIU_BOT', GROUP), { botUsername: 'Huiliu_bot' });
    expect(named).toMatchObject({ ok: true, message: { kind: 'command', command: { name: 'done', args: '' }, conversationKey: `${GROUP.id}:${USER.id}` } });
    expect(readUpdate(update('/status 8K3D-2M9Q', GROUP), { botUsername: 'Huiliu_bot' })).toMatchObject({ ok: true, message: { kind: 'command', command: { name: 'status' } } });
  });

  it('reads a command naming another bot in a private chat as this bot’s', () => {
    expect(readUpdate(update('/start@OtherBot', PRIVATE), { botUsername: 'Huiliu_bot' })).toMatchObject({ ok: true, message: { kind: 'command', command: { name: 'start' } } });
  });

  it('leaves text that only mentions a bot alone', () => {
    expect(readUpdate(update('@OtherBot 工厂排污', GROUP), { botUsername: 'Huiliu_bot' })).toMatchObject({ ok: true, message: { kind: 'text' } });
  });
});
