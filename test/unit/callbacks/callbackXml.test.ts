import { describe, expect, it } from 'vitest';
import { cdata, envelopeXml, eventXml } from '../../../simulator/callbacks/callbackXml.js';
import { parseCallbackXml } from '../../../src/callbacks/parseCallbackXml.js';

// The simulator's builder is checked against the gateway's parser: the two sides are written
// independently, so a round trip catches a misunderstanding on either side.
describe('simulator callback XML builder', () => {
  it('escapes a CDATA terminator inside a value', () => {
    expect(cdata('a]]>b')).toBe('<![CDATA[a]]]]><![CDATA[>b]]>');
    const xml = eventXml([['Note', 'x]]><evil>1</evil>]]>y']]);
    expect(parseCallbackXml(xml)).toEqual({ Note: 'x]]><evil>1</evil>]]>y' });
  });

  it('writes strings in CDATA and numbers bare, in the given order', () => {
    const xml = eventXml([
      ['SuiteId', 'ws1'],
      ['InfoType', 'suite_ticket'],
      ['TimeStamp', 1712540000],
    ]);
    expect(xml).toBe(
      '<xml><SuiteId><![CDATA[ws1]]></SuiteId><InfoType><![CDATA[suite_ticket]]></InfoType><TimeStamp>1712540000</TimeStamp></xml>',
    );
  });

  it('writes a group as nested elements, which the gateway reads as dotted fields', () => {
    const xml = eventXml([
      ['InfoType', 'trial_expired'],
      ['ChatArchiveApi', { Edition: 3 }],
    ]);
    expect(xml).toContain('<ChatArchiveApi><Edition>3</Edition></ChatArchiveApi>');
    expect(parseCallbackXml(xml)).toEqual({ InfoType: 'trial_expired', 'ChatArchiveApi.Edition': '3' });
  });

  it('keeps markup characters in values literal', () => {
    const xml = eventXml([['A', '<b>&amp;</b>']]);
    expect(parseCallbackXml(xml)).toEqual({ A: '<b>&amp;</b>' });
  });

  it('rejects names that are not XML names and non-finite numbers', () => {
    expect(() => eventXml([['a b', 'x']])).toThrow('callback field name must match');
    expect(() => eventXml([['N', Number.NaN]])).toThrow('callback field N must be a finite number, got NaN');
  });

  it('wraps the ciphertext in the envelope WeCom posts', () => {
    expect(parseCallbackXml(envelopeXml('ws1', 'QUJD+/=='))).toEqual({
      ToUserName: 'ws1',
      Encrypt: 'QUJD+/==',
      AgentID: '',
    });
  });
});
