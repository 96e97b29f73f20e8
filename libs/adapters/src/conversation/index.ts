export * from './conversation.types';
export * from './gatherer.types';
export * from './conversation-gatherer';
export * from './conversation-intent.util';
export * from './receipt.util';
export { DEFAULT_REPLIES } from './gatherer-replies';
export { draftToSubmission, isoWithOffset } from './draft-submission.util';
