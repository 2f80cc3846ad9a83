export * from './issues';
export * from './runner';
