import { TabularChannelAdapter } from '../hotline/hotline.adapter';

/** Walk-in visits (来访): register files read through the visit-register profile(s). */
export class VisitAdapter extends TabularChannelAdapter {
  constructor() {
    super('visit');
  }
}
