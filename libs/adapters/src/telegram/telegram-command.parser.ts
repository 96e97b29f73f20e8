export interface BotCommand {
  /** Lower-cased, without the slash and without the `@BotName` suffix. */
  name: string;
  /** The bot the command was addressed to (`/start@HuiliuBot`), when the sender named one. */
  addressee: string | null;
  /** The rest of the text after the command, trimmed. */
  args: string;
}

// Bot API: commands are 1–32 latin letters, digits and underscores, optionally followed by `@BotName`.
const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?=\s|$)/;

/**
 * Reads a command at the start of a text. Telegram marks commands with a `bot_command` entity, but the
 * text itself is read because old clients and pasted texts carry the slash without an entity, and the
 * entity alone does not say where the bot name ends. A text like "/ 工厂排污" is not a command.
 */
export function parseBotCommand(text: string | null | undefined): BotCommand | null {
  if (!text) return null;
  const match = COMMAND.exec(text.trimStart());
  if (!match) return null;
  return {
    name: match[1].toLowerCase(),
    addressee: match[2] ?? null,
    args: text.trimStart().slice(match[0].length).trim(),
  };
}

/**
 * Is a command for this bot? A command without `@BotName` is for whoever reads it. One addressed to a bot
 * is ours only when it names this bot (usernames compare case-insensitively, as Telegram resolves them);
 * in a group another bot is meant, and the command is none of ours. A private chat has no other bot: there
 * a command is ours whatever name was typed. `botUsername` null (not known yet) claims no addressed command
 * in a group: wrongly ignoring one only lets a draft close by itself later, wrongly obeying `/cancel@OtherBot`
 * would throw a complainant's draft away.
 */
export function commandIsForThisBot(command: Pick<BotCommand, 'addressee'>, chatType: string | null | undefined, botUsername: string | null | undefined): boolean {
  if (!command.addressee || chatType === 'private') return true;
  return !!botUsername && command.addressee.toLowerCase() === botUsername.replace(/^@/, '').toLowerCase();
}
