import { describe, expect, it } from 'vitest';
import { CursorCodec } from '../../../simulator/api/cursorCodec.js';
import { Prng } from '../../../simulator/data/Prng.js';
import { sentimentOf, spamOf } from '../../../simulator/domain/classify.js';
import { EMPTY_RANGE, type KeywordRule } from '../../../simulator/domain/KeywordRule.js';
import { matchRule } from '../../../simulator/domain/matchRule.js';
import type { CorpData, DraftMessage } from '../../../simulator/domain/types.js';
import type { WecomError } from '../../../simulator/http/WecomError.js';
import { DEFAULT_SIMULATOR_OPTIONS, optionsFromEnv } from '../../../simulator/simulatorOptions.js';

describe('Prng', () => {
  it('repeats per seed and differs across seeds and forks', () => {
    const draw = (p: Prng) => Array.from({ length: 5 }, () => p.next());
    expect(draw(new Prng(1))).toEqual(draw(new Prng(1)));
    expect(draw(new Prng(1))).not.toEqual(draw(new Prng(2)));
    expect(draw(new Prng(1).fork('a'))).not.toEqual(draw(new Prng(1).fork('b')));
  });
});

describe('optionsFromEnv', () => {
  it('defaults, parses and names the bad value', () => {
    expect(optionsFromEnv({})).toEqual(DEFAULT_SIMULATOR_OPTIONS);
    expect(optionsFromEnv({ SIM_PORT: '0', SIM_HAS_MORE: 'bool', SIM_RSA_PADDING: 'oaep' })).toMatchObject({
      port: 0,
      hasMore: 'bool',
      rsaPadding: 'oaep',
    });
    expect(() => optionsFromEnv({ SIM_HAS_MORE: 'maybe' })).toThrow(
      'SIM_HAS_MORE must be one of contract|int|bool, got "maybe"',
    );
    expect(() => optionsFromEnv({ SIM_MESSAGE_RATE: '-1' })).toThrow(/SIM_MESSAGE_RATE/);
    expect(optionsFromEnv({}).displayAppKind).toBe('third_party');
    expect(optionsFromEnv({ WECOM_DISPLAY_APP_KIND: 'customized' }).displayAppKind).toBe('customized');
    expect(() => optionsFromEnv({ WECOM_DISPLAY_APP_KIND: 'self_built' })).toThrow(
      'WECOM_DISPLAY_APP_KIND must be one of third_party|customized, got "self_built"',
    );
  });
});

describe('CursorCodec', () => {
  const codec = new CursorCodec('s');
  it('round-trips and rejects tampering, other kinds, other corps and long cursors', () => {
    const c = codec.encode('sync', 'wwA', 42);
    expect(codec.decode('sync', 'wwA', c, 710611)).toBe(42);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as WecomError).errcode;
      }
      return 0;
    };
    expect(code(() => codec.decode('sync', 'wwB', c, 710611))).toBe(710611);
    expect(code(() => codec.decode('hit', 'wwA', c, 710611))).toBe(710611);
    expect(code(() => codec.decode('sync', 'wwA', `${c}x`, 710611))).toBe(710611);
    expect(code(() => codec.decode('sync', 'wwA', 'x'.repeat(129), 710611))).toBe(50100);
  });
});

describe('classify', () => {
  it('labels sentiment and spam from the word lists', () => {
    expect(sentimentOf('Thanks, great support')).toBe(1);
    expect(sentimentOf('我要投诉，申请退款')).toBe(2);
    expect(sentimentOf('收到')).toBe(0);
    expect(spamOf('含有政治敏感词')).toBe(1);
    expect(spamOf('adult-content here')).toBe(2);
    expect(spamOf('hello')).toBe(0);
  });
});

describe('matchRule', () => {
  const corp = { employees: [{ openUserId: 'wo1', departmentId: 1 }] } as unknown as CorpData;
  const msg = (searchText: string, over: Partial<DraftMessage> = {}): DraftMessage => ({
    sender: { type: 1, id: 'wo1' },
    receivers: [{ type: 2, id: 'wm1' }],
    chatId: null,
    msgtype: 1,
    content: {},
    searchText,
    recalled: false,
    welcome: false,
    qrCode: false,
    ...over,
  });
  const rule = (over: Partial<KeywordRule>): KeywordRule => ({
    ruleId: 'kr1',
    name: 'r',
    words: [],
    semantics: [],
    range: EMPTY_RANGE,
    createTime: 0,
    ...over,
  });

  it('matches words case-insensitively and behaviours, honouring whitelists and ranges', () => {
    expect(matchRule(rule({ words: ['PRICE'] }), msg('the price is'), corp)).toEqual({
      rule_id: 'kr1',
      has_hit_keyword: true,
      semantics_list: [],
    });
    expect(matchRule(rule({ semantics: [2] }), msg('call 13812345678'), corp)?.semantics_list).toEqual([2]);
    const wl = { ...EMPTY_RANGE, excludeMobiles: ['+8613812345678'] };
    expect(matchRule(rule({ semantics: [2], range: wl }), msg('call 13812345678'), corp)).toBeNull();
    expect(
      matchRule(rule({ semantics: [3, 7] }), msg('a@b.com 6222123412341234'), corp)?.semantics_list,
    ).toEqual([3, 7]);
    expect(matchRule(rule({ semantics: [1] }), msg('', { msgtype: 13 }), corp)?.semantics_list).toEqual([1]);
    expect(matchRule(rule({ semantics: [6] }), msg('x', { recalled: true }), corp)?.semantics_list).toEqual([
      6,
    ]);
    const groupsOnly = { ...EMPTY_RANGE, chatTypes: [2] };
    expect(matchRule(rule({ words: ['price'], range: groupsOnly }), msg('price'), corp)).toBeNull();
    const internalOnly = { ...EMPTY_RANGE, sessionTypes: [1] };
    expect(matchRule(rule({ words: ['price'], range: internalOnly }), msg('price'), corp)).toBeNull();
  });
});
