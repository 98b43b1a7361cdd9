import type { ClientConfig, Scope } from '../config/config.js';
import { forbidden, unauthenticated } from '../errors/codes.js';

/**
 * What the calling client may do. Every resolver that touches a corp asks here first; the
 * answers depend only on the configured client, so they are cheap and never cached across requests.
 */
export class Access {
  constructor(readonly client: ClientConfig | null) {}

  get allCorps(): boolean {
    return this.client?.corps.includes('*') ?? false;
  }

  canSeeCorp(corpId: string): boolean {
    return this.client !== null && (this.allCorps || this.client.corps.includes(corpId));
  }

  hasScope(scope: Scope): boolean {
    return this.client?.scopes.includes(scope) ?? false;
  }

  requireClient(): ClientConfig {
    if (!this.client) throw unauthenticated('a valid API key is required: send Authorization: Bearer <key>');
    return this.client;
  }

  requireScope(scope: Scope): ClientConfig {
    const client = this.requireClient();
    if (!client.scopes.includes(scope)) {
      throw forbidden(`client "${client.id}" lacks scope ${scope}`, { scope });
    }
    return client;
  }

  /** Corp first, then scope: a client must not learn which scopes matter for corps it cannot see. */
  requireCorp(corpId: string, scope: Scope = 'corp:read'): ClientConfig {
    const client = this.requireClient();
    if (!this.canSeeCorp(corpId)) {
      throw forbidden(`client "${client.id}" may not access corp "${corpId}"`, { corpId });
    }
    return this.requireScope(scope);
  }
}
