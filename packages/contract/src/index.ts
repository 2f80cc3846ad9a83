export * from './issues';
export * from './operations';
export * from './runner';
