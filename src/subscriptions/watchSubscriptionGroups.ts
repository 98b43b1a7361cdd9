import { Gauge, type Registry } from 'prom-client';
import type { SubscriptionGroups } from './SubscriptionGroups.js';

/** `wag_subscription_groups` and `wag_subscription_group_members`, read at scrape time. */
export function watchSubscriptionGroups(registry: Registry, groups: SubscriptionGroups): void {
  const groupsGauge: Gauge = new Gauge({
    name: 'wag_subscription_groups',
    help: 'Shared live subscriptions: groups of identical operations, each executed once per event.',
    registers: [registry],
    collect: (): void => groupsGauge.set(groups.stats.groups),
  });
  const membersGauge: Gauge = new Gauge({
    name: 'wag_subscription_group_members',
    help: 'Subscribers served by a shared group (the rest run alone, e.g. with an `after` replay).',
    registers: [registry],
    collect: (): void => membersGauge.set(groups.stats.members),
  });
}
