import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type Json, startHarness } from './simHarness.js';

const K = '/cgi-bin/chatdata/keyword';

describe('simulator keyword rules and hits (docs/upstream.md §3.5, §3.6)', () => {
  let h: Harness;
  let token: string;
  let corpId: string;
  let corp: Json;
  beforeAll(async () => {
    h = await startHarness();
    ({ token, corpId, corp } = await h.readyCorp(0));
  });
  afterAll(() => h.sim.stop());
  const call = (op: string, body: unknown) => h.api(token, `${K}/${op}`, body);

  it('creates, lists (bool has_more), details, updates (empty list clears) and deletes a rule', async () => {
    const created = await call('create_rule', {
      name: '报价规则',
      keyword: { word_list: ['报价', 'price'] },
      semantics: { semantics_list: [2, 7] },
      applicable_range: {
        chat_type: { type_list: [1] },
        exclude_mobile: { mobile_list: ['+8613800000000'] },
      },
    });
    expect(created['errcode']).toBe(0);
    const ruleId = created['rule_id'];
    const list = await call('get_rule_list', {});
    expect(list['has_more']).toBe(false);
    expect(list['rule_list'].map((r: Json) => r['rule_id'])).toContain(ruleId);
    const detail = await call('get_rule_detail', { rule_id: ruleId });
    expect(detail['keyword']['word_list']).toEqual(['报价', 'price']);
    expect(detail['applicable_range']['chat_type']).toEqual({ type_list: [1] });
    expect(
      (await call('update_rule', { rule_id: ruleId, applicable_range: { chat_type: { type_list: [] } } }))[
        'errcode'
      ],
    ).toBe(0);
    const after = await call('get_rule_detail', { rule_id: ruleId });
    expect(after['applicable_range']['chat_type']).toBeUndefined();
    expect(after['applicable_range']['exclude_mobile']).toEqual({ mobile_list: ['+8613800000000'] });
    expect((await call('delete_rule', { rule_id: ruleId }))['errcode']).toBe(0);
    expect((await call('get_rule_detail', { rule_id: ruleId }))['errcode']).toBe(710612);
  });

  it('returns each rule errcode', async () => {
    const word = { keyword: { word_list: ['x'] } };
    expect((await call('create_rule', { name: 'a' }))['errcode']).toBe(710610);
    expect((await call('create_rule', { name: 'a', keyword: {} }))['errcode']).toBe(710650);
    expect((await call('create_rule', { name: 'a', semantics: { semantics_list: [13] } }))['errcode']).toBe(
      710648,
    );
    expect((await call('create_rule', { name: '', ...word }))['errcode']).toBe(40058);
    expect((await call('create_rule', { name: 'x'.repeat(21), ...word }))['errcode']).toBe(40058);
    expect(
      (await call('create_rule', { name: 'a', keyword: { word_list: Array(21).fill('w') } }))['errcode'],
    ).toBe(40058);
    const range = (applicable_range: Json) => call('create_rule', { name: 'a', ...word, applicable_range });
    expect((await range({ chat: { id_list: Array(2001).fill('wr1') } }))['errcode']).toBe(710649);
    expect((await range({ chat: { id_list: ['wrUnknown'] } }))['errcode']).toBe(710606);
    expect((await range({ department: { id_list: [999] } }))['errcode']).toBe(710607);
    expect((await range({ user: { id_list: ['woUnknown'] } }))['errcode']).toBe(710608);
    expect((await range({ session_type: { session_type_list: [3] } }))['errcode']).toBe(710615);
    expect((await range({ exclude_mobile: { mobile_list: ['12ab'] } }))['errcode']).toBe(710621);
    expect((await range({ exclude_bank_card: { bank_card_list: ['12ab'] } }))['errcode']).toBe(710622);
    expect((await call('get_rule_detail', { rule_id: 'garbage' }))['errcode']).toBe(710620);
    expect((await call('update_rule', { rule_id: 'kr0000000000000000', name: 'b' }))['errcode']).toBe(710612);
  });

  it('caps a corp at 500 rules (710619)', async () => {
    const other = await startHarness({ backlogPerCorp: 0 });
    try {
      const t = await other.corpToken((await other.corps())[1]!['corpId']);
      for (let i = 0; i < 500; i += 20) {
        const batch = Array.from({ length: 20 }, (_, j) =>
          other.api(t, `${K}/create_rule`, { name: `r${i + j}`, keyword: { word_list: ['w'] } }),
        );
        expect((await Promise.all(batch)).map((r) => r['errcode'])).toEqual(Array(20).fill(0));
      }
      expect(
        (await other.api(t, `${K}/create_rule`, { name: 'one more', keyword: { word_list: ['w'] } }))[
          'errcode'
        ],
      ).toBe(710619);
    } finally {
      await other.sim.stop();
    }
  });

  it('records hits of new matching messages for get_hit_msg_list, with detail on request', async () => {
    const created = await call('create_rule', {
      name: 'all text',
      semantics: { semantics_list: [1, 9] },
      keyword: { word_list: ['ok', '收到', '的', 'the', 'e'] },
    });
    const group = corp['chats'].find((c: Json) => c['type'] === 'group');
    const made = await h.control('POST', '/__sim/messages', {
      corpId,
      count: 20,
      msgtype: 1,
      chatId: group['chatId'],
    });
    expect(made.json['hitToken']).toEqual(expect.any(String));
    const r = await h.api(token, `${K}/get_hit_msg_list`, { token: made.json['hitToken'], need_detail: 1 });
    expect(r['errcode']).toBe(0);
    expect(r['msg_list'].length).toBeGreaterThan(0);
    const hit = r['msg_list'][0];
    expect(made.json['msgids']).toContain(hit['msgid']);
    expect(hit['hit_rule_list'][0]).toMatchObject({ rule_id: created['rule_id'], has_hit_keyword: true });
    expect(hit['msg_detail']['chatid']).toBe(group['chatId']);
    expect(hit['msg_detail']['msgid']).toBeUndefined();
    const bare = await h.api(token, `${K}/get_hit_msg_list`, { token: made.json['hitToken'] });
    expect(bare['msg_list'][0]['msg_detail']).toBeUndefined();
    expect(typeof bare['has_more']).toBe('number');
  });
});
