import { randomBytes } from 'node:crypto';

/** An expected upstream failure: becomes `{errcode, errmsg}` with WeCom's errmsg trailer. */
export class WecomError extends Error {
  constructor(
    readonly errcode: number,
    message: string,
    /** HTTP status to answer with; WeCom answers errors with 200. */
    readonly httpStatus = 200,
  ) {
    super(message);
  }
}

/** Shared generic code for a parameter with no code of its own in docs/upstream.md §2.2 (WeCom 40058 "不合法的参数"). */
export const INVALID_PARAMETER = 40058;

/**
 * WeCom appends `, hint: [id], from ip: x, more info at …?e=code` to every errmsg. The format is
 * observed, not documented [I]; the hint is unique per answer so clients can log it.
 */
export function errorEnvelope(
  errcode: number,
  message: string,
  ip: string,
): { errcode: number; errmsg: string } {
  const hint = `${Math.floor(Date.now() / 1000)}-${randomBytes(6).toString('hex')}`;
  return {
    errcode,
    errmsg: `${message}, hint: [${hint}], from ip: ${ip}, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`,
  };
}
