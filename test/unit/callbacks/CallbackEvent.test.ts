import { describe, expect, it } from 'vitest';
import { CallbackError } from '../../../src/callbacks/CallbackError.js';
import { CALLBACK_INFO_TYPES, parseCallbackEvent } from '../../../src/callbacks/CallbackEvent.js';

const SUITE = 'wwsuite0archive0demo';
const TS = '1712540000';

/** One valid field set per InfoType, and the fields each one requires. */
const cases: { infoType: string; fields: Record<string, string>; required: string[] }[] = [
  {
    infoType: 'suite_ticket',
    fields: { SuiteId: SUITE, SuiteTicket: 'ticket-1', TimeStamp: TS },
    required: ['SuiteId', 'SuiteTicket', 'TimeStamp'],
  },
  {
    infoType: 'create_auth',
    fields: { SuiteId: SUITE, AuthCode: 'code-1', TimeStamp: TS, State: 'st' },
    required: ['SuiteId', 'AuthCode', 'TimeStamp'],
  },
  {
    infoType: 'change_auth',
    fields: { SuiteId: SUITE, AuthCorpId: 'wwcorp', TimeStamp: TS },
    required: ['SuiteId', 'AuthCorpId', 'TimeStamp'],
  },
  {
    infoType: 'cancel_auth',
    fields: { SuiteId: SUITE, AuthCorpId: 'wwcorp', TimeStamp: TS },
    required: ['SuiteId', 'AuthCorpId', 'TimeStamp'],
  },
  {
    infoType: 'conversation_new_message',
    fields: { SuiteId: SUITE, AuthCorpId: 'wwcorp', Token: 'tok', TimeStamp: TS },
    required: ['SuiteId', 'AuthCorpId', 'Token', 'TimeStamp'],
  },
  {
    infoType: 'hit_keyword',
    fields: { SuiteId: SUITE, AuthCorpId: 'wwcorp', Token: 'tok', TimeStamp: TS },
    required: ['SuiteId', 'AuthCorpId', 'Token', 'TimeStamp'],
  },
  {
    infoType: 'chat_archive_audit_approved_single',
    fields: { AuthCorpId: 'wwcorp', OpenUserID: 'wostaff', ExternalUserID: 'wmcust', ChatId: 'chat1' },
    required: ['AuthCorpId', 'OpenUserID', 'ExternalUserID'],
  },
  {
    infoType: 'chat_archive_audit_approved_room',
    fields: { AuthCorpId: 'wwcorp', ExternalUserID: 'wmcust', ChatId: 'wrroom' },
    required: ['AuthCorpId', 'ExternalUserID', 'ChatId'],
  },
  {
    infoType: 'chat_archive_export_finished',
    fields: { AuthCorpId: 'wwcorp', JobId: 'job1' },
    required: ['AuthCorpId', 'JobId'],
  },
  {
    infoType: 'reset_permanent_code',
    fields: { AuthCorpId: 'wwcorp', AuthCode: 'code-2' },
    required: ['AuthCode'],
  },
  ...(['advanced_api_expired', 'trial_expired', 'advanced_api_trial_expired'] as const).map((infoType) => ({
    infoType,
    fields: {
      ServiceCorpId: 'wwprovider',
      AuthCorpId: 'wwcorp',
      'ChatArchiveApi.Edition': '2',
      TimeStamp: TS,
    },
    required: ['AuthCorpId'],
  })),
];

function rejection(fields: Record<string, string>): CallbackError {
  try {
    parseCallbackEvent(fields);
  } catch (error) {
    if (error instanceof CallbackError) return error;
    throw error;
  }
  throw new Error('expected parseCallbackEvent to reject');
}

describe('parseCallbackEvent', () => {
  it('covers every known InfoType in these cases', () => {
    expect(cases.map((c) => c.infoType).sort()).toEqual([...CALLBACK_INFO_TYPES].sort());
  });

  describe.each(cases)('$infoType', ({ infoType, fields, required }) => {
    it('accepts the documented fields', () => {
      const parsed = parseCallbackEvent({ InfoType: infoType, ...fields });
      expect(parsed.known).toBe(true);
      if (!parsed.known) return;
      const expected: Record<string, unknown> = { InfoType: infoType, ...fields };
      if ('TimeStamp' in fields) expected['TimeStamp'] = Number(TS);
      const edition = (fields as Record<string, string>)['ChatArchiveApi.Edition'];
      if (edition !== undefined) expected['ChatArchiveApi.Edition'] = Number(edition);
      expect(parsed.event).toEqual(expected);
    });

    it.each(required)('rejects a missing %s, naming it', (field) => {
      const { [field]: _, ...rest } = fields;
      const error = rejection({ InfoType: infoType, ...rest });
      expect(error.code).toBe('BAD_EVENT');
      expect(error.message).toContain(`${infoType}: ${field} `);
      expect(error.message).toContain('missing');
    });
  });

  it('rejects an over-long value without echoing it', () => {
    const secret = 'S'.repeat(513);
    const error = rejection({ InfoType: 'create_auth', SuiteId: SUITE, AuthCode: secret, TimeStamp: TS });
    expect(error.message).toContain('create_auth: AuthCode');
    expect(error.message).toContain('513 chars');
    expect(error.message).not.toContain(secret.slice(0, 20));
  });

  it('rejects a non-numeric TimeStamp', () => {
    const error = rejection({
      InfoType: 'suite_ticket',
      SuiteId: SUITE,
      SuiteTicket: 't',
      TimeStamp: 'soon',
    });
    expect(error.message).toContain('suite_ticket: TimeStamp');
  });

  it('drops fields it does not know instead of passing them on', () => {
    const parsed = parseCallbackEvent({
      InfoType: 'change_auth',
      SuiteId: SUITE,
      AuthCorpId: 'c',
      TimeStamp: TS,
      X: '1',
    });
    expect(parsed.known && 'X' in parsed.event).toBe(false);
  });

  it('returns an unknown InfoType as unknown rather than failing', () => {
    expect(parseCallbackEvent({ InfoType: 'something_new', SuiteId: SUITE })).toEqual({
      known: false,
      infoType: 'something_new',
    });
  });

  it('requires an InfoType', () => {
    expect(rejection({ SuiteId: SUITE }).message).toBe('InfoType is required, got nothing');
  });
});
