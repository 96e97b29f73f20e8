import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The gathering state of one conversation of a chat channel (a Telegram chat, a WeChat follower): the
 * gatherer's snapshot for that conversation and the raw originals of its open draft. A restart in the
 * middle of a conversation resumes from here.
 */
@Entity({ name: 'conversation_states' })
export class ConversationStateEntity {
  @PrimaryColumn({ name: 'channel_id', type: 'uuid', primaryKeyConstraintName: 'pk_conversation_states' })
  channelId: string;

  @PrimaryColumn({ name: 'conversation_key', type: 'text', primaryKeyConstraintName: 'pk_conversation_states' })
  conversationKey: string;

  /** ConversationGatherer snapshot holding this conversation only; `{}` for a conversation not seen yet. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  state: Record<string, unknown>;

  /** Raw originals of the open draft's messages, `[{ref, raw}]`, in arrival order. */
  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  raws: { ref: string; raw: unknown }[];

  /** When the open draft's quiet period ends; null when no draft is open. */
  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** A delivery already taken (Telegram update id, WeChat MsgId): repeats are recognised and answered the same. */
@Entity({ name: 'conversation_inbound' })
export class ConversationInboundEntity {
  @PrimaryColumn({ name: 'channel_id', type: 'uuid', primaryKeyConstraintName: 'pk_conversation_inbound' })
  channelId: string;

  @PrimaryColumn({ name: 'inbound_key', type: 'text', primaryKeyConstraintName: 'pk_conversation_inbound' })
  inboundKey: string;

  @Column({ name: 'conversation_key', type: 'text', nullable: true })
  conversationKey: string | null;

  /** The answer given to the first delivery (a WeChat passive reply), repeated to a retry. */
  @Column({ type: 'text', nullable: true })
  reply: string | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;
}
