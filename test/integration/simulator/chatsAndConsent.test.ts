import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type Json, startHarness } from './simHarness.js';

const C = '/cgi-bin/chatdata';

describe('simulator groups, search and agree status (docs/upstream.md §3.2–3.4, §3.7, §3.11)', () => {
  let h: Harness;
  let token: string;
  let corp: Json;
  const groups = (kind: string) =>
    corp['chats'].filter((c: Json) => c['type'] === 'group' && c['kind'] === kind);
  beforeAll(async () => {
    h = await startHarness({ backlogPerCorp: 300 });
    ({ token, corp } = await h.readyCorp(0));
  });
  afterAll(() => h.sim.stop());

  it('groupchat/get: internal groups only (301059), unknown chatid 710624', async () => {
    const g = groups('internal')[0];
    const r = await h.api(token, `${C}/groupchat/get`, { chatid: g['chatId'] });
    expect(r).toMatchObject({ errcode: 0, creator: g['creator'], room_create_time: g['createTime'] });
    expect(r['members'][0]).toEqual({ memberid: expect.any(String), jointime: expect.any(Number), type: 1 });
    expect(r['name']).toBeUndefined();
    expect(
      (await h.api(token, `${C}/groupchat/get`, { chatid: groups('customer')[0]['chatId'] }))['errcode'],
    ).toBe(301059);
    expect((await h.api(token, `${C}/groupchat/get`, { chatid: 'wrNope' }))['errcode']).toBe(710624);
  });

  it('search_chat finds named groups by current name; short words and big limits fail', async () => {
    const named = corp['chats'].find((c: Json) => c['type'] === 'group' && c['name'].length >= 2);
    const r = await h.api(token, `${C}/search_chat`, { query_word: named['name'].slice(0, 2) });
    expect(r['chat_list']).toContainEqual({ chatid: named['chatId'] });
    expect(r['has_more']).toBe(0);
    expect((await h.api(token, `${C}/search_chat`, { query_word: '群' }))['errcode']).toBe(40058);
    expect((await h.api(token, `${C}/search_chat`, { query_word: 'xx', limit: 101 }))['errcode']).toBe(40058);
  });

  it('search_msg returns msgids of matching generated text, with chat_info and time rules', async () => {
    const r = await h.api(token, `${C}/search_msg`, { query_word: 'price', limit: 100 });
    expect(r['errcode']).toBe(0);
    expect(r['msg_list'].length).toBeGreaterThan(0);
    expect(Object.keys(r['msg_list'][0])).toEqual(['msgid']);
    const g = groups('internal')[0]['chatId'];
    const inGroup = await h.api(token, `${C}/search_msg`, {
      query_word: 'price',
      chat_info: { chat_type: 2, chat_id: g },
    });
    expect(inGroup['errcode']).toBe(0);
    const bad = (body: Json) => h.api(token, `${C}/search_msg`, { query_word: 'price', ...body });
    expect((await bad({ chat_info: { chat_type: 3 } }))['errcode']).toBe(710615);
    expect((await bad({ chat_info: { chat_type: 1, id_list: [{ open_userid: 'wo1' }] } }))['errcode']).toBe(
      40058,
    );
    expect((await bad({ chat_info: { chat_type: 2 } }))['errcode']).toBe(40058);
    expect((await bad({ end_time: 100 }))['errcode']).toBe(40058);
    expect((await bad({ start_time: 200, end_time: 100 }))['errcode']).toBe(40058);
    expect((await bad({ start_time: 0, end_time: 31 * 86_400 }))['errcode']).toBe(40058);
    expect((await bad({ query_word: 'p' }))['errcode']).toBe(40058);
    expect((await bad({ start_time: 0, end_time: 1000 }))['msg_list']).toEqual([]);
  });

  it('getagreestatus/single and /room report consent; limits 301060 and unknown ids 301061', async () => {
    const c: Json = corp['consents'][0];
    const r = await h.api(token, `${C}/getagreestatus/single`, {
      item: [{ open_userid: c['openUserId'], external_userid: c['externalUserId'] }],
    });
    expect(r['agreeinfo']).toEqual([
      {
        open_userid: c['openUserId'],
        external_userid: c['externalUserId'],
        agree_status: c['pending'] ? 'Disagree' : c['status'],
        status_change_time: c['changeTime'],
      },
    ]);
    const item = Array(101).fill({ open_userid: c['openUserId'], external_userid: c['externalUserId'] });
    expect((await h.api(token, `${C}/getagreestatus/single`, { item }))['errcode']).toBe(301060);
    const unknown = await h.api(token, `${C}/getagreestatus/single`, {
      item: [{ open_userid: 'woX', external_userid: c['externalUserId'] }],
    });
    expect(unknown['errcode']).toBe(301061);
    const g = groups('customer')[0];
    const room = await h.api(token, `${C}/getagreestatus/room`, { chatid: g['chatId'] });
    const externals = g['members'].filter((m: Json) => m['type'] === 2).map((m: Json) => m['memberid']);
    expect(room['agreeinfo'].map((a: Json) => a['external_userid']).sort()).toEqual(externals.sort());
  });

  it('a consent event flips the state to Agree', async () => {
    const c: Json =
      corp['consents'].find((x: Json) => x['status'] === 'Disagree' || x['pending']) ?? corp['consents'][0];
    const ev = await h.control('POST', '/__sim/events', {
      type: 'consent',
      corpId: corp['corpId'],
      openUserId: c['openUserId'],
      externalUserId: c['externalUserId'],
    });
    expect(ev.status).toBe(200);
    const r = await h.api(token, `${C}/getagreestatus/single`, {
      item: [{ open_userid: c['openUserId'], external_userid: c['externalUserId'] }],
    });
    expect(r['agreeinfo'][0]['agree_status']).toBe('Agree');
  });

  it('get_auth_user_list pages with bool has_more; get_corp_auth_info lists editions', async () => {
    const first = await h.api(token, `${C}/get_auth_user_list`, { limit: 2 });
    expect(first['has_more']).toBe(true);
    expect(first['auth_user_list'][0]).toEqual({
      open_userid: expect.stringMatching(/^wo/),
      edition_list: expect.any(Array),
    });
    const all = [...first['auth_user_list']];
    let cursor = first['next_cursor'];
    while (cursor) {
      const r = await h.api(token, `${C}/get_auth_user_list`, { limit: 2, cursor });
      all.push(...r['auth_user_list']);
      cursor = r['has_more'] ? r['next_cursor'] : '';
    }
    expect(all).toHaveLength(corp['employees'].length);
    expect((await h.api(token, `${C}/get_auth_user_list`, { cursor: 'junk' }))['errcode']).toBe(50100);
    const info = await h.api(token, `${C}/get_corp_auth_info`, {});
    expect(info['auth_edition_list'].length).toBeGreaterThan(0);
  });
});
