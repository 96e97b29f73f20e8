import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConversationGatherer } from '../../conversation/conversation-gatherer';
import type { GathererAction } from '../../conversation/gatherer.types';
import { parseGetUpdatesFile } from '../get-updates.parser';
import { toConversationMessage } from '../telegram-update.parser';

const pages = ['getUpdates_page1.json', 'getUpdates_page2.json'].map((f) => fs.readFileSync(path.join(__dirname, 'fixtures', f), 'utf8'));

/** Two overlapping getUpdates pages through the adapter and the gatherer, as a replay of stored pages runs. */
function replay(): GathererAction[] {
  const g = new ConversationGatherer();
  const actions: GathererAction[] = [];
  for (const page of pages) {
    for (const update of parseGetUpdatesFile(page)) {
      const m = toConversationMessage(update);
      if (m) actions.push(...g.tick(m.at), ...g.accept(m));
    }
  }
  return [...actions, ...g.closeAll()];
}

describe('Telegram pages through the gatherer', () => {
  const actions = replay();
  const submits = actions.filter((a): a is Extract<GathererAction, { type: 'submit' }> => a.type === 'submit');

  it('makes one submission per complaint, the location joined with its text', () => {
    // Closed in the order they fell quiet.
    expect(submits.map((s) => s.draft.refs)).toEqual([['7000001:11', '7000001:12'], ['7000002:13']]);
    const located = submits[0].draft;
    expect(located.location).toMatchObject({ lat: 34.26, lng: 108.94 });
    expect(located.text).toBe('就是这个位置，搅拌站粉尘很大');
    expect(located.complainant).toMatchObject({ handle: '7000001', name: '林红梅' });
    expect(submits[1].draft.attachments?.[0]).toMatchObject({ sourceRef: 'p-big', size: 40000 });
  });

  it('accounts for the command, the repeated updates, the sticker and the late edit', () => {
    const ignored = actions.filter((a) => a.type === 'ignored').map((a) => [(a as { ref: string }).ref, (a as { reason: string }).reason]);
    expect(ignored).toEqual([
      ['7000002:10', 'command:start'],
      ['7000001:12', 'duplicate'],
      ['7000002:13', 'duplicate'],
      ['7000001:14', 'sticker'],
    ]);
    const amends = actions.filter((a) => a.type === 'amend');
    expect(amends).toEqual([
      expect.objectContaining({ ref: '7000001:11', editedRef: '7000001:12', newText: '就是这个位置，搅拌站粉尘很大（补充：西安市未央区）' }),
    ]);
  });
});
