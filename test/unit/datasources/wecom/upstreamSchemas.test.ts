import { describe, expect, it } from 'vitest';
import {
  CHATDATA_APIS,
  chatdataSchemas,
  describeIssues,
} from '../../../../src/datasources/wecom/upstreamSchemas.js';

describe('chatdata schemas', () => {
  it('cover every chatdata API with a request and a response schema', () => {
    // The 20 archive APIs of the contract plus the data zone's specapi/create_job and get_job_result.
    expect(CHATDATA_APIS).toHaveLength(22);
    expect(CHATDATA_APIS).toContain('specapi/create_job');
    for (const api of CHATDATA_APIS) {
      expect(chatdataSchemas[api].request, api).toBeDefined();
      expect(chatdataSchemas[api].response, api).toBeDefined();
    }
  });

  it('normalise has_more from int, bool or absent to a boolean', () => {
    const parse = (has_more: unknown) =>
      chatdataSchemas.search_chat.response.parse({ has_more, chat_list: [] });
    expect(parse(1).has_more).toBe(true);
    expect(parse(0).has_more).toBe(false);
    expect(parse(true).has_more).toBe(true);
    expect(parse(false).has_more).toBe(false);
    expect(parse(undefined).has_more).toBe(false);
    expect(chatdataSchemas['keyword/get_rule_list'].response.parse({ has_more: true }).has_more).toBe(true);
    expect(chatdataSchemas.search_chat.response.safeParse({ has_more: 2 }).success).toBe(false);
    expect(chatdataSchemas.search_chat.response.safeParse({ has_more: 'true' }).success).toBe(false);
  });

  it('accept employee ids under open_userid or userid and expose open_userid', () => {
    const item = { external_userid: 'wm1', agree_status: 'Agree', status_change_time: 1 };
    const single = chatdataSchemas['getagreestatus/single'].response;
    expect(single.parse({ agreeinfo: [{ ...item, userid: 'u1' }] }).agreeinfo[0]).toEqual({
      ...item,
      open_userid: 'u1',
    });
    expect(single.parse({ agreeinfo: [{ ...item, open_userid: 'wo1' }] }).agreeinfo[0]?.open_userid).toBe(
      'wo1',
    );
    const users = chatdataSchemas.get_auth_user_list.response.parse({
      auth_user_list: [{ userid: 'u2', edition_list: [1] }, { open_userid: 'wo3' }],
      has_more: false,
    });
    expect(users.auth_user_list).toEqual([
      { open_userid: 'u2', edition_list: [1] },
      { open_userid: 'wo3', edition_list: [] },
    ]);
    const missing = single.safeParse({ agreeinfo: [item] });
    expect(missing.error?.issues[0]?.path).toEqual(['agreeinfo', 0, 'open_userid']);
  });

  it('drop unknown response fields but insist on the ones we use', () => {
    const parsed = chatdataSchemas['export/get_job_status'].response.parse({
      status: 3,
      result_id: 'r',
      extra: 1,
    });
    expect(parsed).toEqual({ status: 3, result_id: 'r' });
    expect(chatdataSchemas['export/get_job_status'].response.safeParse({ status: '3' }).success).toBe(false);
    expect(
      chatdataSchemas['getagreestatus/room'].response.safeParse({
        agreeinfo: [{ external_userid: 'x', agree_status: 'Maybe', status_change_time: 1 }],
      }).success,
    ).toBe(false);
  });
});

describe('request validation', () => {
  const issues = (api: keyof typeof chatdataSchemas, body: unknown): string => {
    const result = chatdataSchemas[api].request.safeParse(body);
    return result.success ? 'valid' : describeIssues(result.error.issues, body, 'show');
  };

  it('restates the contract with the bad value', () => {
    expect(issues('sync_msg', { limit: 5000 })).toBe('limit: limit must be 1..1000 (got 5000)');
    expect(issues('search_chat', { query_word: 'a' })).toBe(
      'query_word: query_word must be at least 2 characters (got "a")',
    );
    expect(issues('getagreestatus/single', { item: [] })).toBe('item: item must hold 1..100 pairs (got [])');
  });

  it('rejects unknown fields (a typo is our bug)', () => {
    expect(issues('sync_msg', { limt: 10 })).toContain('(root)');
  });

  it('enforces cross-field rules of search_msg', () => {
    expect(issues('search_msg', { query_word: '报价', end_time: 10 })).toContain(
      'start_time is required with end_time',
    );
    expect(issues('search_msg', { query_word: '报价', start_time: 0, end_time: 31 * 86_400 })).toContain(
      'the window must be at most 30 days',
    );
    expect(
      issues('search_msg', {
        query_word: '报价',
        chat_info: { chat_type: 1, id_list: [{ open_userid: 'wo' }] },
      }),
    ).toContain('id_list must hold exactly 2 parties');
    expect(
      issues('search_msg', {
        query_word: '报价',
        chat_info: { chat_type: 1, id_list: [{ open_userid: 'wo' }, { external_userid: 'wm' }] },
        start_time: 1,
        end_time: 2,
      }),
    ).toBe('valid');
  });

  it('requires a keyword or a behaviour on create_rule', () => {
    expect(issues('keyword/create_rule', { name: 'r', keyword: { word_list: [] } })).toContain(
      'a rule needs at least one keyword.word_list entry or semantics.semantics_list entry',
    );
    expect(issues('keyword/create_rule', { name: 'r', semantics: { semantics_list: [13] } })).toContain(
      'semantics must be 1..12 (got 13)',
    );
    expect(issues('keyword/update_rule', { rule_id: 'r1', keyword: { word_list: [] } })).toBe('valid');
  });

  it('never echoes secret fields', () => {
    const body = { analyze_task: 1, msg_list: [{ msgid: 'm', encrypt_info: { secret_key: 123 } }] };
    const text = issues('analyze_task_add', body);
    expect(text).toContain('msg_list[0].encrypt_info.secret_key');
    expect(text).toContain('(got number)');
    expect(text).not.toContain('123');
  });
});
