/** Bad control-API input: answered 400 with the message. */
export class ControlError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type ControlBody = Record<string, unknown>;

export function str(body: ControlBody, name: string): string {
  const v = body[name];
  if (typeof v !== 'string' || v === '')
    throw new ControlError(`${name} must be a non-empty string, got ${JSON.stringify(v ?? null)}`);
  return v;
}

export function optStr(body: ControlBody, name: string): string | undefined {
  return body[name] === undefined || body[name] === null ? undefined : str(body, name);
}

export function int(body: ControlBody, name: string, min: number, max: number, fallback?: number): number {
  const v = body[name] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ControlError(`${name} must be an integer ${min}..${max}, got ${JSON.stringify(v ?? null)}`);
  }
  return v;
}
