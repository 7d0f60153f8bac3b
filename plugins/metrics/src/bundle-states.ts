import type { BundleState, KernelControl } from '@keel/plugin-sdk';
import { Gauge, type Registry } from 'prom-client';

/** Every state, so a state without bundles reports 0 instead of vanishing; the type keeps the list complete. */
const STATES = Object.keys({
  INSTALLED: true, RESOLVED: true, STARTING: true, ACTIVE: true, STOPPING: true, UNINSTALLED: true,
} satisfies Record<BundleState, true>) as BundleState[];

/** `keel_bundles{state}`: how many bundles are in each state, counted when scraped. */
export function registerBundleStates(registry: Registry, kernel: KernelControl): void {
  new Gauge({
    name: 'keel_bundles',
    help: 'Installed bundles by state (INSTALLED, RESOLVED, STARTING, ACTIVE, STOPPING, UNINSTALLED).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const counts = new Map<string, number>(STATES.map((state) => [state, 0]));
      for (const bundle of kernel.bundles()) counts.set(bundle.state, (counts.get(bundle.state) ?? 0) + 1);
      for (const [state, count] of counts) this.set({ state }, count);
    },
  });
}
