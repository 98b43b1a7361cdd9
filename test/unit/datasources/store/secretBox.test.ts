import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../../../../src/datasources/store/secretBox.js';

const box = createSecretBox('unit-test-master-key-1');

describe('secretBox', () => {
  it('round-trips and uses a fresh IV every time', () => {
    const a = box.seal('permanent-code-ü', 'ctx');
    const b = box.seal('permanent-code-ü', 'ctx');
    expect(a).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(box.open(a, 'ctx')).toBe('permanent-code-ü');
    expect(a).not.toContain('permanent');
  });

  it('detects tampering with the ciphertext or tag', () => {
    const sealed = box.seal('secret');
    const [v, iv, tag, ct] = sealed.split(':') as [string, string, string, string];
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString('base64');
    };
    expect(() => box.open([v, iv, tag, flip(ct)].join(':'))).toThrow(/failed authentication/);
    expect(() => box.open([v, iv, flip(tag), ct].join(':'))).toThrow(/failed authentication/);
    expect(() => box.open(`v2:${iv}:${tag}:${ct}`)).toThrow('sealed value must look like v1:<iv>:<tag>:<ct>');
  });

  it('refuses the wrong master key or the wrong context', () => {
    const sealed = box.seal('secret', 'corp-a');
    expect(() => createSecretBox('another-master-key-2').open(sealed, 'corp-a')).toThrow(
      /failed authentication/,
    );
    expect(() => box.open(sealed, 'corp-b')).toThrow(/failed authentication/);
  });

  it('refuses a short master key, stating the rule', () => {
    expect(() => createSecretBox('short')).toThrow('master key must be at least 16 characters, got 5');
  });
});
