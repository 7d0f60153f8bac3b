import { asFunction, asValue, type AwilixContainer } from 'awilix';
import {
  describeRef, type BundleContext, type ConfigCascade, type ConfigService, type DefinedBundle, type HttpService,
  type KernelControl, type Lifecycle, type Logger, type RegisterOptions, type ServiceRef, type ServiceRegistration,
  type ServiceRegistry, type StopFunction,
} from '@keel/plugin-sdk';
import { keelError } from '../errors.js';
import type { KernelHookRegistry } from './hooks.js';
import type { KernelRegistry } from './registry.js';
import { createBundleScheduler } from './scheduler.js';
import { createTracker } from './tracker.js';

/** What the kernel shares with every bundle it starts. */
export interface RuntimeShared {
  container: AwilixContainer;
  registry: KernelRegistry;
  hooks: KernelHookRegistry;
  config: ConfigService;
  cascade: ConfigCascade;
  logger: Logger;
  http: (bundle: string) => HttpService;
  control: KernelControl;
  shuttingDown: () => boolean;
}

export interface RunningBundle {
  /** Runs the bundle's stop listeners and stop function, then withdraws everything it registered. */
  stop(): Promise<void>;
  /** Withdraws everything immediately (after a failed or timed-out start). */
  discard(): Promise<void>;
  readonly started: Promise<void>;
  readonly onStarted: Array<() => void | Promise<void>>;
}

/**
 * Starts one bundle: a fresh awilix scope holding its resolved dependencies and bundle-scoped
 * kernel services, then its `start(ctx)`. Everything it registers, taps or schedules is owned by
 * the scope and withdrawn in reverse order on stop.
 */
export function startBundle(
  shared: RuntimeShared,
  bundle: { name: string; version: string; directory: string; definition: DefinedBundle },
  isActive: () => boolean,
): RunningBundle {
  const { name, definition } = bundle;
  const logger = shared.logger.child({ bundle: name });
  const scope = shared.container.createScope();
  const hooks = shared.hooks.forBundle(name, isActive);
  const scheduler = createBundleScheduler(logger);
  const trackers: Array<{ close(): void }> = [];
  const stopListeners: Array<() => void | Promise<void>> = [];
  const onStarted: Array<() => void | Promise<void>> = [];
  const provides = new Set((definition.provides ?? []).map((ref) => ref.id));
  let closed = false;
  let stopFunction: StopFunction | undefined;

  const track = <T>(ref: ServiceRef<T>) => {
    const tracker = createTracker(shared.registry, ref);
    trackers.push(tracker);
    return tracker;
  };

  // Dependencies are registered in the bundle's scope; `services` is its cradle, so each one is
  // resolved (and checked) when the bundle first touches it... except required singles, which we
  // resolve eagerly below so a missing provider fails the start instead of a later request.
  const registrations: Record<string, unknown> = {};
  for (const [key, ref] of Object.entries(definition.requires ?? {})) {
    registrations[key] = ref.multiple ? asValue(track(ref)) : asValue(requireService(ref));
  }
  for (const [key, ref] of Object.entries(definition.optional ?? {})) {
    registrations[key] = asValue(track(ref));
  }
  registrations.scheduler = asFunction(() => scheduler).scoped().disposer((s) => s.cancelAll());
  scope.register(registrations as Parameters<typeof scope.register>[0]);

  function requireService<T>(ref: ServiceRef<T>): T {
    const service = shared.registry.get(ref);
    if (service === undefined) {
      throw keelError('KEEL-SERVICE-MISSING', { name, ref: `${ref.id}@^${ref.version}`, hint: '; its provider is active but has not registered it' });
    }
    return service;
  }

  const register = <T>(ref: ServiceRef<T>, service: T, options?: RegisterOptions): ServiceRegistration => {
    if (closed) throw keelError('KEEL-BUNDLE-START', { name, detail: `register(${describeRef(ref)}) after the bundle stopped` });
    if (!provides.has(ref.id)) throw keelError('KEEL-SERVICE-UNDECLARED', { name, ref: describeRef(ref) });
    const registration = shared.registry.register(name, ref, service, options);
    return { serviceId: registration.serviceId, update: registration.update, unregister: registration.unregister };
  };

  const registry: ServiceRegistry = {
    register,
    get: (ref, filter) => shared.registry.get(ref, filter),
    getAll: (ref, filter) => shared.registry.getAll(ref, filter),
    track,
  };

  const lifecycle: Lifecycle = {
    onStarted: (listener) => void onStarted.push(listener),
    onStop: (listener) => void stopListeners.push(listener),
    get shuttingDown() {
      return shared.shuttingDown();
    },
  };

  // HTTP is looked up lazily: a kernel without HTTP (offline reports, tests) only fails the bundles that use it.
  let http: HttpService | undefined;
  const context = {
    get http() {
      return (http ??= shared.http(name));
    },
    bundle: { name, version: bundle.version, directory: bundle.directory },
    services: scope.cradle,
    register,
    registry,
    hooks,
    config: shared.config,
    cascade: shared.cascade,
    logger,
    scheduler: scope.resolve('scheduler'),
    lifecycle,
    kernel: shared.control,
  } as unknown as BundleContext;

  async function withdraw(): Promise<void> {
    closed = true;
    for (const tracker of trackers.splice(0).reverse()) tracker.close();
    hooks.removeTaps();
    shared.registry.unregisterBundle(name);
    await scope.dispose();
  }

  const started = (async () => {
    const result = await definition.start(context);
    if (typeof result === 'function') stopFunction = result;
  })();

  return {
    started,
    onStarted,
    async stop() {
      const errors: unknown[] = [];
      for (const listener of stopListeners.splice(0).reverse()) {
        try {
          await listener();
        } catch (error) {
          errors.push(error);
        }
      }
      try {
        await stopFunction?.();
      } catch (error) {
        errors.push(error);
      }
      await withdraw();
      if (errors.length > 0) throw errors[0];
    },
    discard: withdraw,
  };
}
