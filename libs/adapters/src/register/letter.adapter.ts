import { TabularChannelAdapter } from '../hotline/hotline.adapter';

/** Letters (来信): register files kept by offices, read through the letter-register profile(s). */
export class LetterAdapter extends TabularChannelAdapter {
  constructor() {
    super('letter');
  }
}
