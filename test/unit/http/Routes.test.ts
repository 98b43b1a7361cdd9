import { describe, expect, it } from 'vitest';
import { type Handler, Routes } from '../../../src/http/Routes.js';

const handler = (): Handler => () => {};

describe('Routes', () => {
  it('finds exact paths first, then the longest prefix; a method-limited route exists only for its methods', () => {
    const [graphql, graphiql, console_, consoleRoot, landing] = [1, 2, 3, 4, 5].map(handler);
    const routes = new Routes()
      .add('/graphql', graphql!)
      .add('/graphiql/*', graphiql!)
      .add('/console', consoleRoot!)
      .add('/console/*', console_!)
      .add('/', landing!, ['GET', 'HEAD']);
    expect(routes.find('/graphql', 'POST')).toBe(graphql);
    expect(routes.find('/graphql/x', 'POST')).toBeNull();
    expect(routes.find('/graphiql/app.js', 'GET')).toBe(graphiql);
    expect(routes.find('/console', 'GET')).toBe(consoleRoot);
    expect(routes.find('/console/app.css', 'GET')).toBe(console_);
    expect(routes.find('/', 'HEAD')).toBe(landing);
    expect(routes.find('/', 'POST')).toBeNull();
    expect(routes.find('/nowhere', 'GET')).toBeNull();
  });

  it('refuses a path taken twice, naming it', () => {
    const routes = new Routes().add('/health', handler());
    expect(() => routes.add('/health', handler())).toThrow('route /health is already taken');
  });
});
