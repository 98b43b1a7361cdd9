import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type Json, startHarness } from './simHarness.js';

describe('simulator token chain (docs/upstream.md §1)', () => {
  let h: Harness;
  let corpId: string;
  beforeAll(async () => {
    h = await startHarness({ tokenTtlS: 100 });
    corpId = (await h.corps())[0]!['corpId'];
  });
  afterAll(() => h.sim.stop());

  const suiteBody = async (over: Json = {}) => {
    const { json } = await h.control('POST', '/__sim/events', { type: 'suite_ticket' });
    return {
      suite_id: h.sim.options.suiteId,
      suite_secret: h.sim.options.suiteSecret,
      suite_ticket: json['suiteTicket'],
      ...over,
    };
  };

  it('issues a suite token without errcode on success', async () => {
    const r = await h.post('/cgi-bin/service/get_suite_token', await suiteBody());
    expect(r['errcode']).toBeUndefined();
    expect(typeof r['suite_access_token']).toBe('string');
    expect(r['expires_in']).toBe(100);
  });

  it('rejects a bad suite id, secret or ticket with 40083 / 40080 / 40085', async () => {
    expect(
      (await h.post('/cgi-bin/service/get_suite_token', await suiteBody({ suite_id: 'nope' })))['errcode'],
    ).toBe(40083);
    expect(
      (await h.post('/cgi-bin/service/get_suite_token', await suiteBody({ suite_secret: 'x' })))['errcode'],
    ).toBe(40080);
    const bad = await h.post('/cgi-bin/service/get_suite_token', await suiteBody({ suite_ticket: 'forged' }));
    expect(bad['errcode']).toBe(40085);
    expect(bad['errmsg']).toMatch(
      /hint: \[[^\]]+\], from ip: [\d.]+, more info at https:\/\/open\.work\.weixin\.qq\.com\/devtool\/query\?e=40085$/,
    );
  });

  it('expires tickets after 30 minutes of simulator clock', async () => {
    const body = await suiteBody();
    await h.control('POST', '/__sim/clock', { advanceSeconds: 1801 });
    expect((await h.post('/cgi-bin/service/get_suite_token', body))['errcode']).toBe(40085);
  });

  it('exchanges a single-use auth code for a permanent code, then a corp token', async () => {
    const st = await h.suiteToken();
    const { json } = await h.control('POST', '/__sim/events', { type: 'create_auth', corpId });
    const perm = await h.post(
      '/cgi-bin/service/get_permanent_code',
      { auth_code: json['authCode'] },
      { suite_access_token: st },
    );
    expect(perm['errcode']).toBe(0);
    expect(perm['auth_corp_info']['corpid']).toBe(corpId);
    expect(typeof perm['access_token']).toBe('string');
    const again = await h.post(
      '/cgi-bin/service/get_permanent_code',
      { auth_code: json['authCode'] },
      { suite_access_token: st },
    );
    expect(again['errcode']).toBe(40078);
    const tok = await h.post(
      '/cgi-bin/service/get_corp_token',
      { auth_corpid: corpId, permanent_code: perm['permanent_code'] },
      { suite_access_token: st },
    );
    expect(tok['errcode']).toBeUndefined();
    expect(tok['expires_in']).toBe(100);
    const wrong = await h.post(
      '/cgi-bin/service/get_corp_token',
      { auth_corpid: corpId, permanent_code: 'nope' },
      { suite_access_token: st },
    );
    expect(wrong['errcode']).toBe(40084);
    const info = await h.post(
      '/cgi-bin/service/get_auth_info',
      { auth_corpid: corpId, permanent_code: perm['permanent_code'] },
      { suite_access_token: st },
    );
    expect(info['auth_corp_info']['corpid']).toBe(corpId);
  });

  it('v2 get_permanent_code returns no access_token; auth codes expire after 10 minutes', async () => {
    const st = await h.suiteToken();
    const { json } = await h.control('POST', '/__sim/events', { type: 'create_auth', corpId });
    const v2 = await h.post(
      '/cgi-bin/service/v2/get_permanent_code',
      { auth_code: json['authCode'] },
      { suite_access_token: st },
    );
    expect(v2['errcode']).toBe(0);
    expect(v2['access_token']).toBeUndefined();
    const late = await h.control('POST', '/__sim/events', { type: 'create_auth', corpId });
    await h.control('POST', '/__sim/clock', { advanceSeconds: 601 });
    const st2 = await h.suiteToken();
    const r = await h.post(
      '/cgi-bin/service/get_permanent_code',
      { auth_code: late.json['authCode'] },
      { suite_access_token: st2 },
    );
    expect(r['errcode']).toBe(40078);
  });

  it('suite token errors: missing 41022, unknown 40082, expired 42009', async () => {
    const path = '/cgi-bin/service/get_permanent_code';
    expect((await h.post(path, { auth_code: 'x' }))['errcode']).toBe(41022);
    expect((await h.post(path, { auth_code: 'x' }, { suite_access_token: 'bogus' }))['errcode']).toBe(40082);
    const st = await h.suiteToken();
    await h.control('POST', '/__sim/clock', { advanceSeconds: 101 });
    expect((await h.post(path, { auth_code: 'x' }, { suite_access_token: st }))['errcode']).toBe(42009);
  });

  it('corp token errors: missing 41001, unknown 40014, expired 42001, cancelled 48004', async () => {
    const path = '/cgi-bin/chatdata/get_auth_user_list';
    expect((await h.post(path, {}))['errcode']).toBe(41001);
    expect((await h.api('bogus', path, {}))['errcode']).toBe(40014);
    const token = await h.corpToken(corpId);
    expect((await h.api(token, path, {}))['errcode']).toBe(0);
    await h.control('POST', '/__sim/clock', { advanceSeconds: 101 });
    expect((await h.api(token, path, {}))['errcode']).toBe(42001);
    const fresh = await h.corpToken(corpId);
    await h.control('POST', '/__sim/events', { type: 'cancel_auth', corpId });
    expect((await h.api(fresh, path, {}))['errcode']).toBe(48004);
    const st = await h.suiteToken();
    const r = await h.post(
      '/cgi-bin/service/get_corp_token',
      { auth_corpid: corpId, permanent_code: 'any' },
      { suite_access_token: st },
    );
    expect(r['errcode']).toBe(48004);
  });
});
