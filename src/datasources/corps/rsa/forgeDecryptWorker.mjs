// Piscina worker of ForgeDecryptPool. Plain JavaScript ESM so that it loads the same way under
// plain node, tsx and vitest (a worker does not inherit the parent's TypeScript loader reliably).
import { createHash } from 'node:crypto';
import forge from 'node-forge';

/** forge scheme names; forge's OAEP defaults to SHA-1 + MGF1-SHA-1, as Node's RSA_PKCS1_OAEP_PADDING. */
const SCHEMES = { pkcs1: 'RSAES-PKCS1-V1_5', oaep: 'RSA-OAEP' };
/** Parsed keys kept per worker: forge's PEM parsing costs about as much as a decrypt. */
const MAX_KEYS = 64;
const keys = new Map();

function keyFor(pem) {
  // Keyed by hash so the cache does not hold a second copy of each PEM as a map key.
  const id = createHash('sha256').update(pem).digest('base64');
  const hit = keys.get(id);
  if (hit) {
    keys.delete(id);
    keys.set(id, hit);
    return hit;
  }
  const key = forge.pki.privateKeyFromPem(pem);
  keys.set(id, key);
  if (keys.size > MAX_KEYS) keys.delete(keys.keys().next().value);
  return key;
}

/**
 * One task: `{ plaintext }`, or `{ error }` for a block that does not decrypt. A bad block is an
 * answer, not a throw, so that the pool can tell it from a worker that died (WORKER_CRASHED).
 */
export default function decrypt({ privateKeyPem, ciphertext, padding }) {
  try {
    const scheme = SCHEMES[padding];
    if (!scheme) throw new Error(`padding must be pkcs1 or oaep, got ${padding}`);
    const bytes = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength);
    const plain = keyFor(privateKeyPem).decrypt(bytes.toString('binary'), scheme);
    // A fresh Uint8Array, not a Buffer: small Buffers share an 8 KiB pool, which posting would copy.
    return { plaintext: new Uint8Array(Buffer.from(plain, 'binary')) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
