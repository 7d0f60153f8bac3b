import { AsyncSeriesHook, SyncHook, type Hook } from 'tapable';
import type { BundleHooks, BundleInfo, HookRef, KernelHooks, RequestTiming } from '@keel/plugin-sdk';

type AnyHook = Hook<any, any>;
type TapMethod = 'tap' | 'tapAsync' | 'tapPromise';

export interface KernelHookRegistry {
  readonly kernel: KernelHooks;
  get<H extends AnyHook>(ref: HookRef<H>): H;
  /** The hooks as one bundle sees them: its taps carry its name and are removed when it stops. */
  forBundle(bundle: string, isActive: () => boolean): BundleHooks & { removeTaps(): void };
}

export function createKernelHooks(): KernelHookRegistry {
  const kernel: KernelHooks = {
    bundleResolved: new SyncHook<[BundleInfo]>(['bundle']),
    bundleStarted: new SyncHook<[BundleInfo]>(['bundle']),
    bundleStopped: new SyncHook<[BundleInfo]>(['bundle']),
    bundleFailed: new SyncHook<[BundleInfo, Error]>(['bundle', 'error']),
    serviceRegistered: new SyncHook<[{ id: string; bundle: string; serviceId: number }]>(['service']),
    serviceUnregistered: new SyncHook<[{ id: string; bundle: string; serviceId: number }]>(['service']),
    configReloaded: new AsyncSeriesHook<[]>([]),
    requestCompleted: new SyncHook<[RequestTiming]>(['timing']),
  };
  const extensionPoints = new Map<string, AnyHook>();
  const tapsByBundle = new Map<string, Set<AnyHook>>();

  function get<H extends AnyHook>(ref: HookRef<H>): H {
    let hook = extensionPoints.get(ref.id);
    if (!hook) {
      hook = ref.create();
      extensionPoints.set(ref.id, hook);
    }
    return hook as H;
  }

  /**
   * Wraps a hook so that taps made through it are named after the bundle and skipped once the
   * bundle is no longer active (returning undefined passes through bail and waterfall hooks).
   * `removeTaps` also drops them from the hook so restarts do not pile them up.
   */
  function scoped<H extends AnyHook>(hook: H, bundle: string, isActive: () => boolean): H {
    const wrap = (method: TapMethod) =>
      (options: string | { name: string; stage?: number; before?: string | string[] }, fn: (...args: any[]) => any) => {
        const tapOptions = typeof options === 'string' ? { name: `${bundle}:${options}` } : { ...options, name: `${bundle}:${options.name}` };
        let guarded: (...args: any[]) => any;
        if (method === 'tapAsync') {
          guarded = (...args: any[]) => {
            if (isActive()) return fn(...args);
            const callback = args[args.length - 1] as (error?: unknown) => void;
            callback();
          };
        } else if (method === 'tapPromise') {
          guarded = (...args: any[]) => (isActive() ? fn(...args) : Promise.resolve(undefined));
        } else {
          guarded = (...args: any[]) => (isActive() ? fn(...args) : undefined);
        }
        const owned = tapsByBundle.get(bundle) ?? new Set<AnyHook>();
        owned.add(hook);
        tapsByBundle.set(bundle, owned);
        (hook as any)[method](tapOptions, guarded);
      };
    return new Proxy(hook, {
      get(target, property, receiver) {
        if (property === 'tap' || property === 'tapAsync' || property === 'tapPromise') return wrap(property);
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  return {
    kernel,
    get,
    forBundle(bundle, isActive) {
      const kernelView = Object.fromEntries(
        Object.entries(kernel).map(([name, hook]) => [name, scoped(hook as AnyHook, bundle, isActive)]),
      ) as unknown as KernelHooks;
      return {
        kernel: kernelView,
        get: <H extends AnyHook>(ref: HookRef<H>) => scoped(get(ref), bundle, isActive),
        removeTaps() {
          const prefix = `${bundle}:`;
          for (const hook of tapsByBundle.get(bundle) ?? []) {
            const taps = (hook as unknown as { taps: Array<{ name: string }> }).taps;
            const kept = taps.filter((tap) => !tap.name.startsWith(prefix));
            taps.length = 0;
            taps.push(...kept);
            // tapable compiles a call function lazily; force a recompile without the removed taps.
            (hook as unknown as { _resetCompilation?: () => void })._resetCompilation?.();
          }
          tapsByBundle.delete(bundle);
        },
      };
    },
  };
}
