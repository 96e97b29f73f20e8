import { TabularChannelAdapter } from '../hotline/hotline.adapter';

/** Transfers from a higher authority (上级转办): register files read through the transfer-register profile(s). */
export class TransferAdapter extends TabularChannelAdapter {
  constructor() {
    super('transfer');
  }
}
