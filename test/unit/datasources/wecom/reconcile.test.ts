import { describe, expect, it } from 'vitest';
import { LostAuthorizationError, redeemAuthCode } from '../../../../src/datasources/corps/redeemAuthCode.js';
import { MemoryKeyValueStore } from '../../../../src/datasources/store/memory/MemoryKeyValueStore.js';
import type { WecomApi } from '../../../../src/datasources/wecom/ports.js';
import { createExportJobReconciled } from '../../../../src/datasources/wecom/reconcile/createExportJobReconciled.js';
import { createRuleReconciled } from '../../../../src/datasources/wecom/reconcile/createRuleReconciled.js';
import { deleteRuleReconciled } from '../../../../src/datasources/wecom/reconcile/deleteRuleReconciled.js';
import { runAnalysisJob } from '../../../../src/datasources/wecom/reconcile/runAnalysisJob.js';
import { uploadMediaReconciled } from '../../../../src/datasources/wecom/reconcile/uploadMediaReconciled.js';
import { outcomeUnknown } from '../../../../src/datasources/wecom/upstreamCallKinds.js';
import { toWecomError, type WecomError } from '../../../../src/datasources/wecom/WecomError.js';

// The reconcile logic of issue 11, point 4, against the upstream's answers written out: each
// script lists, per call, what WeCom answered (or that the answer was lost).
type Answer = Record<string, unknown> | { lost: 'timeout' | 'dropped' } | { errcode: number };
type Call = { api: string; body: unknown };

const path = (api: string) => (api.startsWith('/') ? api : `/cgi-bin/chatdata/${api}`);

function answerOf(api: string, answer: Answer): Record<string, unknown> {
  if ('lost' in answer) {
    const failure =
      answer.lost === 'timeout'
        ? { kind: 'timeout' as const, timeoutMs: 8000 }
        : {
            kind: 'network' as const,
            cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
          };
    throw outcomeUnknown(toWecomError(path(api), failure));
  }
  if ('errcode' in answer && typeof answer.errcode === 'number' && answer.errcode !== 0) {
    throw toWecomError(path(api), {
      kind: 'envelope',
      errcode: answer.errcode,
      errmsg: `errcode ${answer.errcode}`,
    });
  }
  return answer;
}

/** An upstream that answers each API's calls from its script, in order, and records every call. */
function scripted(script: Record<string, Answer[]>) {
  const calls: Call[] = [];
  const api = {
    async chatdata(_corpId: string, name: string, body: unknown) {
      calls.push({ api: name, body });
      const next = script[name]?.shift();
      if (!next) throw new Error(`unscripted call ${name}`);
      return answerOf(name, next);
    },
    async uploadMedia(_corpId: string, filename: string) {
      calls.push({ api: 'media/upload', body: filename });
      const next = script['media/upload']?.shift();
      if (!next) throw new Error('unscripted call media/upload');
      return answerOf('/cgi-bin/media/upload', next);
    },
    async getPermanentCode(code: string) {
      calls.push({ api: 'get_permanent_code', body: code });
      const next = script['get_permanent_code']?.shift();
      if (!next) throw new Error('unscripted call get_permanent_code');
      return answerOf('/cgi-bin/service/get_permanent_code', next);
    },
  } as unknown as WecomApi;
  return { api, calls, names: () => calls.map((c) => c.api) };
}

async function rejection(promise: Promise<unknown>): Promise<WecomError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: WecomError) => error,
  );
}

const RULE = { name: '报价', keyword: { word_list: ['报价', '折扣'] }, semantics: { semantics_list: [2] } };
const LISTED = (rules: { rule_id: string; name: string }[]) => ({
  rule_list: rules.map((r) => ({ ...r, create_time: 1 })),
  has_more: false,
  next_cursor: '',
});
const DETAIL = (words: string[], semantics: number[]) => ({
  name: '报价',
  keyword: { word_list: words },
  semantics: { semantics_list: semantics },
});

describe('keyword/create_rule', () => {
  it('timeout → the rule list shows a rule of that name and content → that rule, no second create', async () => {
    const up = scripted({
      'keyword/create_rule': [{ lost: 'timeout' }],
      'keyword/get_rule_list': [
        LISTED([
          { rule_id: 'kr-other', name: '别的' },
          { rule_id: 'kr-made', name: '报价' },
        ]),
      ],
      'keyword/get_rule_detail': [DETAIL(['折扣', '报价'], [2])],
    });
    expect(await createRuleReconciled(up.api, 'c', RULE)).toEqual({ ruleId: 'kr-made', reconciled: true });
    expect(up.names()).toEqual(['keyword/create_rule', 'keyword/get_rule_list', 'keyword/get_rule_detail']);
  });

  it('dropped connection → no such rule listed (same name, other words) → created once more', async () => {
    const up = scripted({
      'keyword/create_rule': [{ lost: 'dropped' }, { rule_id: 'kr-new' }],
      'keyword/get_rule_list': [LISTED([{ rule_id: 'kr-old', name: '报价' }])],
      'keyword/get_rule_detail': [DETAIL(['报价'], [2])],
    });
    expect(await createRuleReconciled(up.api, 'c', RULE)).toEqual({ ruleId: 'kr-new', reconciled: true });
    expect(up.names().filter((n) => n === 'keyword/create_rule')).toHaveLength(2);
  });

  it('timeout → the list cannot be read (-1) → UPSTREAM_OUTCOME_UNKNOWN saying what to check', async () => {
    const up = scripted({
      'keyword/create_rule': [{ lost: 'timeout' }],
      'keyword/get_rule_list': [{ errcode: -1 }],
    });
    const error = await rejection(createRuleReconciled(up.api, 'c', RULE));
    expect(error.code).toBe('UPSTREAM_OUTCOME_UNKNOWN');
    expect(error.message).toContain('look for a rule named "报价" in keywordRules before creating it again');
  });

  it('a refusal (710610) is the answer: no read-back, no repeat', async () => {
    const up = scripted({ 'keyword/create_rule': [{ errcode: 710610 }] });
    expect((await rejection(createRuleReconciled(up.api, 'c', RULE))).errcode).toBe(710610);
    expect(up.names()).toEqual(['keyword/create_rule']);
  });
});

describe('keyword/delete_rule', () => {
  it('timeout → asked again → 710612 (no such rule): the lost call deleted it', async () => {
    const up = scripted({ 'keyword/delete_rule': [{ lost: 'timeout' }, { errcode: 710612 }] });
    await deleteRuleReconciled(up.api, 'c', 'kr1');
    expect(up.names()).toEqual(['keyword/delete_rule', 'keyword/delete_rule']);
  });

  it('710612 on the first call is the caller’s answer (no rule by that id)', async () => {
    const up = scripted({ 'keyword/delete_rule': [{ errcode: 710612 }] });
    expect((await rejection(deleteRuleReconciled(up.api, 'c', 'kr1'))).errcode).toBe(710612);
  });
});

describe('analyze_task_add / analyze_task_submit', () => {
  const items = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ msgid: `m${i}`, encrypt_info: { secret_key: 'k' } }));

  it('first add lost → a new job (the orphan is never submitted); submit lost → again → 710617 (done)', async () => {
    const up = scripted({
      analyze_task_add: [{ lost: 'timeout' }, { jobid: 'job-2', fail_list: [] }],
      analyze_task_submit: [{ lost: 'dropped' }, { errcode: 710617 }],
    });
    expect(await runAnalysisJob(up.api, 'c', 1, items(3))).toBe('job-2');
    expect(up.calls.map((c) => [c.api, (c.body as { jobid?: string }).jobid])).toEqual([
      ['analyze_task_add', undefined],
      ['analyze_task_add', undefined],
      ['analyze_task_submit', 'job-2'],
      ['analyze_task_submit', 'job-2'],
    ]);
  });

  it('a later add lost → sent again to the same job (repeats land in fail_list as 710613)', async () => {
    const up = scripted({
      analyze_task_add: [
        { jobid: 'job-1', fail_list: [] },
        { lost: 'timeout' },
        { jobid: 'job-1', fail_list: [{ msgid: 'm1000', errcode: 710613, errmsg: 'duplicate msgid' }] },
      ],
      analyze_task_submit: [{}],
    });
    expect(await runAnalysisJob(up.api, 'c', 2, items(1001))).toBe('job-1');
    expect(up.calls.map((c) => (c.body as { jobid?: string }).jobid)).toEqual([
      undefined,
      'job-1',
      'job-1',
      'job-1',
    ]);
  });

  it('two lost answers in a row stay unknown (no third try)', async () => {
    const up = scripted({ analyze_task_add: [{ lost: 'timeout' }, { lost: 'timeout' }] });
    expect((await rejection(runAnalysisJob(up.api, 'c', 1, items(1)))).code).toBe('UPSTREAM_OUTCOME_UNKNOWN');
    expect(up.calls).toHaveLength(2);
  });
});

describe('media/upload (export template)', () => {
  const bytes = new Uint8Array([1, 2, 3, 4, 5, 6]);

  it('answer lost → uploaded again → the caller gets that one media id (the lost one expires unused)', async () => {
    const up = scripted({ 'media/upload': [{ lost: 'dropped' }, { mediaId: 'm-second', createdAt: '1' }] });
    expect(await uploadMediaReconciled(up.api, 'c', 't.txt', bytes)).toEqual({
      mediaId: 'm-second',
      createdAt: '1',
    });
    expect(up.names()).toEqual(['media/upload', 'media/upload']);
  });

  it('a refusal (40006) is the answer: no second upload', async () => {
    const up = scripted({ 'media/upload': [{ errcode: 40006 }] });
    expect((await rejection(uploadMediaReconciled(up.api, 'c', 't.txt', bytes))).errcode).toBe(40006);
    expect(up.calls).toHaveLength(1);
  });

  it('two lost answers stay unknown, saying the export code is still unused', async () => {
    const up = scripted({ 'media/upload': [{ lost: 'timeout' }, { lost: 'dropped' }] });
    const error = await rejection(uploadMediaReconciled(up.api, 'c', 't.txt', bytes));
    expect(error.code).toBe('UPSTREAM_OUTCOME_UNKNOWN');
    expect(error.message).toContain('call createExport again with the same code');
    expect(up.calls).toHaveLength(2);
  });
});

describe('export/create_job (single-use code)', () => {
  it('response lost → asked again → a jobid: the lost call never took effect', async () => {
    const up = scripted({ 'export/create_job': [{ lost: 'dropped' }, { jobid: 'ej1' }] });
    expect(await createExportJobReconciled(up.api, 'c', 'code', 'media')).toBe('ej1');
  });

  it('response lost → asked again → 42022 (code used): unknown, and the caller is told what to do', async () => {
    const up = scripted({ 'export/create_job': [{ lost: 'dropped' }, { errcode: 42022 }] });
    const error = await rejection(createExportJobReconciled(up.api, 'c', 'code', 'media'));
    expect(error.code).toBe('UPSTREAM_OUTCOME_UNKNOWN');
    expect(error.message).toContain('Do not ask the user for a new export code yet');
    expect(error.message).toContain('exportTaskUpdated');
  });
});

describe('get_permanent_code (single-use auth code)', () => {
  const granted = { permanent_code: 'pc', auth_corp_info: { corpid: 'wwc' } };
  /**
   * The gateway's side of one exchange: its KV and the corps it stored (by auth code ref).
   * `failSave` / `failDone` stop the "process" at that step, as a kill -9 would.
   */
  function gateway() {
    const stored = new Map<string, string>();
    const seen: string[] = [];
    const stop = { save: false, done: false };
    const kv = new (class extends MemoryKeyValueStore {
      override async set(key: string, value: string, ttlMs?: number): Promise<void> {
        if (stop.done && value.startsWith('done:')) throw new Error('killed before marking done');
        return super.set(key, value, ttlMs);
      }
    })();
    const redeem = (api: WecomApi, code = 'code') =>
      redeemAuthCode(
        {
          api,
          kv,
          app: 'archive',
          findRedeemed: async (ref) => stored.get(ref) ?? null,
          observe: (what) => void seen.push(what),
        },
        code,
        async (answer, ref) => {
          if (stop.save) throw new Error('killed before saving the corp');
          stored.set(ref, answer.auth_corp_info.corpid);
        },
      );
    return { kv, stored, seen, stop, redeem };
  }

  it('granted: the corp is saved, then the code marked done', async () => {
    const g = gateway();
    const up = scripted({ get_permanent_code: [granted] });
    expect(await g.redeem(up.api)).toEqual({ kind: 'granted', granted });
    expect([...g.stored.values()]).toEqual(['wwc']);
    expect(g.seen).toEqual([]);
  });

  it('timeout → asked again → granted: the first never took effect', async () => {
    const g = gateway();
    const up = scripted({ get_permanent_code: [{ lost: 'timeout' }, granted] });
    expect(await g.redeem(up.api)).toEqual({ kind: 'granted', granted });
    expect(g.seen).toEqual(['outcome_unknown']);
  });

  it('timeout → asked again → 40078: the authorization is lost, and remembered for the orphan check', async () => {
    const g = gateway();
    const up = scripted({ get_permanent_code: [{ lost: 'timeout' }, { errcode: 40078 }] });
    const error = await rejection(g.redeem(up.api));
    expect(error).toBeInstanceOf(LostAuthorizationError);
    expect(error).toMatchObject({ code: 'AUTHORIZATION_LOST', retryable: false });
    expect(error.message).toContain('Trigger reset_permanent_code');
    expect(g.seen).toEqual(['outcome_unknown', 'authorization_lost']);
    expect(await g.kv.keys('authcode:lost:')).toHaveLength(1);
  });

  it('a lost answer, then (crash, redelivery) 40078 on the next try: still the lost authorization', async () => {
    const g = gateway();
    const first = scripted({ get_permanent_code: [{ lost: 'timeout' }, { lost: 'timeout' }] });
    expect((await rejection(g.redeem(first.api))).code).toBe('UPSTREAM_OUTCOME_UNKNOWN');
    const redelivered = scripted({ get_permanent_code: [{ errcode: 40078 }] });
    expect((await rejection(g.redeem(redelivered.api))).code).toBe('AUTHORIZATION_LOST');
  });

  // Issue 11's audit, window (b): the process stopped after the upstream answered and before
  // anything was stored. The redelivery's 40078 used to be a silent "invalid code".
  it('answered, stopped before the corp was saved → redelivery → 40078: a lost authorization, counted', async () => {
    const g = gateway();
    g.stop.save = true;
    await expect(g.redeem(scripted({ get_permanent_code: [granted] }).api)).rejects.toThrow('killed');
    g.stop.save = false;
    const error = await rejection(g.redeem(scripted({ get_permanent_code: [{ errcode: 40078 }] }).api));
    expect(error).toBeInstanceOf(LostAuthorizationError);
    expect(g.seen).toEqual(['authorization_lost']);
    expect(await g.kv.keys('authcode:lost:')).toHaveLength(1);
  });

  // Window (c): the corp is saved (with its code's ref) but the done marker never written.
  it('answered and saved, stopped before marking done → redelivery → 40078: "already", found in the store', async () => {
    const g = gateway();
    g.stop.done = true;
    await expect(g.redeem(scripted({ get_permanent_code: [granted] }).api)).rejects.toThrow('killed');
    g.stop.done = false;
    const again = scripted({ get_permanent_code: [{ errcode: 40078 }] });
    expect(await g.redeem(again.api)).toEqual({ kind: 'already', corpId: 'wwc' });
    expect(g.seen).toEqual([]);
  });

  it('a create_auth delivered again after it was handled: 40078 means "already", not a failure', async () => {
    const g = gateway();
    await g.redeem(scripted({ get_permanent_code: [granted] }).api);
    const again = scripted({ get_permanent_code: [{ errcode: 40078 }] });
    expect(await g.redeem(again.api)).toEqual({ kind: 'already', corpId: 'wwc' });
  });

  it('a refusal (45009) takes its marker back: the code expiring later (40078) is not a lost authorization', async () => {
    const g = gateway();
    const busy = scripted({ get_permanent_code: [{ errcode: 45009 }] });
    expect((await rejection(g.redeem(busy.api))).errcode).toBe(45009);
    expect(await g.kv.keys('authcode:')).toEqual([]);
    const expired = scripted({ get_permanent_code: [{ errcode: 40078 }] });
    expect((await rejection(g.redeem(expired.api))).code).toBe('UPSTREAM_ERROR');
    expect(g.seen).toEqual([]);
  });

  it('40078 for a code never seen is the answer (expired or foreign code)', async () => {
    const g = gateway();
    const up = scripted({ get_permanent_code: [{ errcode: 40078 }] });
    expect((await rejection(g.redeem(up.api, 'other'))).errcode).toBe(40078);
    expect(g.seen).toEqual([]);
    expect(await g.kv.keys('authcode:')).toEqual([]);
  });
});
