import { describe, expect, it } from 'vitest';
import { CallbackError } from '../../../src/callbacks/CallbackError.js';
import { MAX_CALLBACK_XML_BYTES, parseCallbackXml } from '../../../src/callbacks/parseCallbackXml.js';

function rejection(xml: string): CallbackError {
  try {
    parseCallbackXml(xml);
  } catch (error) {
    if (error instanceof CallbackError) return error;
    throw error;
  }
  throw new Error('expected parseCallbackXml to reject');
}

describe('parseCallbackXml', () => {
  it('reads CDATA and bare values as strings, keeping leading zeros and big numbers intact', () => {
    const fields = parseCallbackXml(
      '<?xml version="1.0"?><xml><SuiteId><![CDATA[ws1]]></SuiteId><TimeStamp>0001712540000</TimeStamp>' +
        '<MsgId>4561255354251345929</MsgId><AgentID></AgentID><Note>a &amp; b</Note></xml>',
    );
    expect(fields).toEqual({
      SuiteId: 'ws1',
      TimeStamp: '0001712540000',
      MsgId: '4561255354251345929',
      AgentID: '',
      Note: 'a & b',
    });
  });

  it('rejects a DOCTYPE with an entity-expansion bomb without expanding it', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><xml><A>&lol3;</A></xml>';
    const error = rejection(bomb);
    expect(error.code).toBe('BAD_EVENT');
    expect(error.message).toContain('must not contain a DOCTYPE');
  });

  it('rejects an external entity declaration', () => {
    const xxe = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><A>&xxe;</A></xml>';
    expect(rejection(xxe).code).toBe('BAD_EVENT');
  });

  it('leaves an undeclared entity reference as literal text, never resolved', () => {
    expect(parseCallbackXml('<xml><A>&xxe;</A></xml>')).toEqual({ A: '&xxe;' });
  });

  it('rejects deep nesting', () => {
    const depth = 5000;
    const deep = `<xml>${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}</xml>`;
    expect(rejection(deep).code).toBe('BAD_EVENT');
  });

  it('flattens one level of grouping with a dot (the expiry events carry <ChatArchiveApi><Edition>)', () => {
    const xml =
      '<xml><InfoType><![CDATA[advanced_api_expired]]></InfoType><AuthCorpId>wwc</AuthCorpId>' +
      '<ChatArchiveApi><Edition>2</Edition></ChatArchiveApi></xml>';
    expect(parseCallbackXml(xml)).toEqual({
      InfoType: 'advanced_api_expired',
      AuthCorpId: 'wwc',
      'ChatArchiveApi.Edition': '2',
    });
  });

  it('rejects a field nested two levels deep', () => {
    expect(rejection('<xml><SuiteId><x><y>1</y></x></SuiteId></xml>').message).toContain(
      'SuiteId.x must be text',
    );
  });

  it('rejects a repeated field instead of picking one', () => {
    const error = rejection('<xml><InfoType>a</InfoType><InfoType>b</InfoType></xml>');
    expect(error.message).toContain('InfoType must appear once');
  });

  it('rejects a document over the size cap, naming the cap and the size', () => {
    const huge = `<xml><A>${'x'.repeat(MAX_CALLBACK_XML_BYTES)}</A></xml>`;
    const error = rejection(huge);
    expect(error.code).toBe('BAD_EVENT');
    expect(error.message).toContain(`must be at most ${MAX_CALLBACK_XML_BYTES} bytes, got ${huge.length}`);
  });

  it.each([
    ['malformed', '<xml><A>1</xml>'],
    ['not XML', 'hello'],
    ['another root', '<root><A>1</A></root>'],
    ['two roots', '<xml><A>1</A></xml><xml><A>2</A></xml>'],
    ['empty root', '<xml></xml>'],
  ])('rejects %s', (_, xml) => {
    expect(rejection(xml).code).toBe('BAD_EVENT');
  });

  it('rejects a tag named __proto__ and leaves Object.prototype alone', () => {
    expect(rejection('<xml><__proto__><polluted>x</polluted></__proto__><A>1</A></xml>').code).toBe(
      'BAD_EVENT',
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
