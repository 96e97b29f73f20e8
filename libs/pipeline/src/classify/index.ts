export * from './category.stage';
