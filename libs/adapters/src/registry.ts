import type { ChannelType } from '@huiliu/contracts';
import type { ChannelAdapter } from './adapter.types';

/** Adapters keyed by channel type. Registering a type twice is a start-up error, never a silent override. */
export class AdapterRegistry {
  private readonly byType = new Map<ChannelType, ChannelAdapter>();

  constructor(adapters: ChannelAdapter[] = []) {
    for (const a of adapters) this.register(a);
  }

  register(adapter: ChannelAdapter): void {
    if (this.byType.has(adapter.type)) throw new Error(`two adapters registered for channel type ${adapter.type}`);
    this.byType.set(adapter.type, adapter);
  }

  get(type: ChannelType): ChannelAdapter {
    const a = this.byType.get(type);
    if (!a) throw new Error(`no adapter for channel type ${type} (known: ${this.types().join(', ')})`);
    return a;
  }

  has(type: ChannelType): boolean {
    return this.byType.has(type);
  }

  types(): ChannelType[] {
    return [...this.byType.keys()];
  }
}
