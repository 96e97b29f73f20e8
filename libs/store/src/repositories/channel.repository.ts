import type { DataSource } from 'typeorm';
import type { ChannelType } from '@huiliu/contracts';
import { ChannelEntity } from '../entities/channel.entity';
import { isUuid } from './submission.repository';
import { PG, pgCode } from './pg-errors';

export interface ChannelInput {
  type: ChannelType;
  name: string;
  settings?: Record<string, unknown>;
  credentials?: Record<string, unknown>;
  enabled?: boolean;
  homeDivision?: string | null;
  isDefault?: boolean;
}

export class ChannelNameTakenError extends Error {}

/** Channels are data: configured sources, created and changed at run time. */
export class ChannelRepository {
  constructor(private readonly ds: DataSource) {}

  private get repo() {
    return this.ds.getRepository(ChannelEntity);
  }

  list(): Promise<ChannelEntity[]> {
    return this.repo.find({ order: { type: 'ASC', name: 'ASC' } });
  }

  async findByIdOrName(idOrName: string): Promise<ChannelEntity | null> {
    if (isUuid(idOrName)) {
      const byId = await this.repo.findOne({ where: { id: idOrName } });
      if (byId) return byId;
    }
    return this.repo.findOne({ where: { name: idOrName } });
  }

  async create(input: ChannelInput): Promise<ChannelEntity> {
    try {
      return await this.repo.save(
        this.repo.create({
          type: input.type,
          name: input.name,
          settings: input.settings ?? {},
          credentials: input.credentials ?? {},
          enabled: input.enabled ?? true,
          homeDivision: input.homeDivision ?? null,
          isDefault: input.isDefault ?? false,
        }),
      );
    } catch (err) {
      if (pgCode(err) === PG.uniqueViolation) throw new ChannelNameTakenError(`a channel named ${input.name} (or a default ${input.type} channel) already exists`);
      throw err;
    }
  }

  async update(id: string, patch: Partial<Omit<ChannelInput, 'type'>>): Promise<ChannelEntity | null> {
    const current = await this.repo.findOne({ where: { id } });
    if (!current) return null;
    Object.assign(current, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    try {
      return await this.repo.save(current);
    } catch (err) {
      if (pgCode(err) === PG.uniqueViolation) throw new ChannelNameTakenError(`a channel named ${patch.name} already exists`);
      throw err;
    }
  }

  /** Creates or updates by name: what a declarative channels file does at start-up. */
  async upsertByName(input: ChannelInput): Promise<ChannelEntity> {
    const existing = await this.repo.findOne({ where: { name: input.name } });
    if (!existing) return this.create(input);
    if (existing.type !== input.type) throw new Error(`channel ${input.name} exists with type ${existing.type}, not ${input.type}`);
    return (await this.update(existing.id, input))!;
  }

  /** The channel used when input names only a channel type; created on first use. */
  async defaultFor(type: ChannelType): Promise<ChannelEntity> {
    const found = await this.repo.findOne({ where: { type, isDefault: true } });
    if (found) return found;
    await this.ds.query(
      `INSERT INTO channels (type, name, is_default) VALUES ($1, $2, true)
       ON CONFLICT DO NOTHING`,
      [type, `${type}-default`],
    );
    const created = await this.repo.findOne({ where: { type, isDefault: true } });
    if (!created) throw new Error(`could not create the default ${type} channel (is a channel named ${type}-default of another type in the way?)`);
    return created;
  }
}
