import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../../helpers/startStack.js';

describe('smoke', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });
  it('lists corps', async () => {
    const data = await stack.client().request<any>(`{ viewer { id corpIds } corps { edges { node { id corpId name authorization { status editions { edition } } publicKey { version } } } } }`);
    console.log(JSON.stringify(data, null, 1));
    expect(data.corps.edges.length).toBe(stack.corps.length);
  });
});
