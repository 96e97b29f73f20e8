/**
 * The parts of the Telegram Bot API objects this adapter reads. Everything is optional because updates come
 * from outside: newer API versions add fields and update types, older captures lack some, and a malformed
 * page must be reported rather than crash the poller. Unknown fields are simply never looked at.
 */
export interface TgUser {
  id?: number;
  is_bot?: boolean;
  first_name?: string;
  last_name?: string;
  username?: string;
}

export interface TgChat {
  id?: number;
  type?: string;
  title?: string;
  first_name?: string;
  last_name?: string;
  username?: string;
}

export interface TgFile {
  file_id?: string;
  file_unique_id?: string;
  file_size?: number;
  file_name?: string;
  mime_type?: string;
}

export interface TgPhotoSize extends TgFile {
  width?: number;
  height?: number;
}

export interface TgEntity {
  type?: string;
  offset?: number;
  length?: number;
}

export interface TgLocation {
  latitude?: number;
  longitude?: number;
}

export interface TgMessage {
  message_id?: number;
  from?: TgUser;
  sender_chat?: TgChat;
  chat?: TgChat;
  date?: number;
  edit_date?: number;
  text?: string;
  caption?: string;
  entities?: TgEntity[];
  photo?: TgPhotoSize[];
  document?: TgFile;
  voice?: TgFile;
  audio?: TgFile & { title?: string; performer?: string };
  video?: TgFile;
  video_note?: TgFile;
  animation?: TgFile;
  sticker?: TgFile & { emoji?: string };
  location?: TgLocation;
  venue?: { location?: TgLocation; title?: string; address?: string };
  contact?: { phone_number?: string; first_name?: string; last_name?: string };
  forward_origin?: unknown;
  forward_from?: unknown;
  forward_from_chat?: unknown;
  forward_date?: number;
  [field: string]: unknown;
}

/** One update: `update_id` plus exactly one payload field, whose name says what happened. */
export interface TgUpdate {
  update_id?: number;
  [field: string]: unknown;
}
