import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { basename, resolve } from 'node:path';
import { createContainer, asValue, InjectionMode } from 'awilix';
import type { Logger as PinoLogger } from 'pino';
import {
  isDefinedBundle, isKeelError, type BundleInfo, type DefinedBundle, type KeelError, type KernelControl,
  type ServiceRef, configScopeProviderRef,
} from '@keel/plugin-sdk';
import { keelError } from '../errors.js';
import { createConfigCascade, loadServerConfig, type ServerConfig } from '../config/index.js';
import { createHttpServer, readTrustProxy, type KeelHttpServer } from '../http/index.js';
import { createLogger } from '../logging/index.js';
import { recordInfo, type BundleRecord } from './bundle-record.js';
import { startBundle, type RuntimeShared } from './bundle-runtime.js';
import { discoverBundles } from './discovery.js';
import { createKernelHooks } from './hooks.js';
import { registerHealthRoutes } from './health-routes.js';
import type { BundleDescriptor } from './manifest.js';
import { decidePackageStatus } from './package-status.js';
import { createRegistry, type KernelRegistry } from './registry.js';
import { resolveBundles } from './resolver.js';
import { createMutex, withTimeout } from './timeout.js';

export interface InlineBundle {
  name: string;
  version?: string;
  definition: DefinedBundle<any, any>;
  status?: 'enabled' | 'disabled';
}

export interface KernelOptions {
  /** Installation root: `plugins/*` and `node_modules` are scanned below it. Default: cwd. */
  root?: string;
  configDir?: string;
  dataDir?: string;
  /** Extra bundle directories (KEEL_BUNDLE_DIRS and keel.bundles.dirs are added to these). */
  bundleDirs?: string[];
  /** Scan the disk for bundles (default true). The test kit turns it off. */
  discover?: boolean;
  /** Bundles given as objects, for tests and benchmarks. */
  inlineBundles?: InlineBundle[];
  /** Services the kernel provides itself (stand-ins in tests), registered under the bundle name 'kernel'. */
  services?: Array<readonly [ServiceRef<any>, unknown]>;
  /** HTTP server settings; `false` runs without HTTP (offline reports). */
  http?: { host?: string; port?: number } | false;
  logger?: PinoLogger;
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
}

export interface Kernel {
  readonly control: KernelControl;
  readonly registry: KernelRegistry;
  readonly config: ServerConfig;
  readonly logger: PinoLogger;
  readonly http: KeelHttpServer | undefined;
  /** Discovers, resolves and starts every enabled bundle, then listens. */
  start(): Promise<void>;
  /** Discovers and resolves without starting anything (the `keel bundles` report). */
  plan(): Promise<BundleInfo[]>;
  /** Stops every bundle in reverse dependency order and closes the HTTP server. */
  stop(): Promise<void>;
  address(): { host: string; port: number } | undefined;
}

const SDK_VERSION: string = (createRequire(import.meta.url)('@keel/plugin-sdk/package.json') as { version: string }).version;

export async function createKernel(options: KernelOptions = {}): Promise<Kernel> {
  const env = options.env ?? process.env;
  const root = resolve(options.root ?? process.cwd());
  const configDir = resolve(root, options.configDir ?? env.KEEL_CONFIG_DIR ?? 'config');
  const dataDir = resolve(root, options.dataDir ?? env.KEEL_DATA_DIR ?? 'data');
  const logger = options.logger ?? createLogger();
  const config = await loadServerConfig({ directory: configDir, dataDirectory: dataDir, env });
  const startTimeoutMs = options.startTimeoutMs ?? config.getNumber('keel.bundles.startTimeout', 30_000);
  const stopTimeoutMs = options.stopTimeoutMs ?? config.getNumber('keel.bundles.stopTimeout', 10_000);

  const records = new Map<string, BundleRecord>();
  const hooks = createKernelHooks();
  const registry = createRegistry({
    onRegistered: (info) => {
      hooks.kernel.serviceRegistered.call(info);
      onServiceAdded(info.id);
    },
    onUnregistered: (info) => {
      hooks.kernel.serviceUnregistered.call(info);
      onServiceRemoved(info.id);
    },
  });
  const cascade = createConfigCascade({ config, providers: () => registry.getAll(configScopeProviderRef) });
  const exclusive = createMutex();
  let shuttingDown = false;
  let booted = false;

  // Routes the kernel registers itself belong to the pseudo-bundle 'kernel', which is always active.
  const isActive = (name: string) => name === 'kernel' || records.get(name)?.state === 'ACTIVE';
  const http = options.http === false ? undefined : createHttpServer({
    logger,
    host: options.http?.host ?? env.KEEL_HTTP_HOST ?? '127.0.0.1',
    port: options.http?.port ?? Number(env.KEEL_HTTP_PORT ?? 8080),
    isBundleActive: isActive,
    health: () => health(),
    trustProxy: readTrustProxy(config),
    requestCompleted: {
      // tapable compiles a call function even for a hook without taps; skip the timing object then.
      observed: () => hooks.kernel.requestCompleted.isUsed(),
      report: (timing) => hooks.kernel.requestCompleted.call(timing),
    },
  });

  const control: KernelControl = {
    bundles: () => [...records.values()].map(recordInfo).sort((a, b) => a.name.localeCompare(b.name)),
    bundle: (name) => {
      const record = records.get(name);
      return record && recordInfo(record);
    },
    startBundle: (name) => exclusive(async () => {
      const record = requireRecord(name);
      if (record.status === 'disabled') throw keelError('KEEL-BUNDLE-DISABLED', { name });
      await startWithDependencies(record, new Set());
      return recordInfo(record);
    }),
    stopBundle: (name) => exclusive(async () => {
      const record = requireRecord(name);
      await stopRecord(record, 'manual');
      return recordInfo(record);
    }),
    reload: () => exclusive(reload),
    services: () => registry.list().map((entry) => ({
      id: entry.id, version: entry.version, bundle: entry.bundle, ranking: entry.ranking, serviceId: entry.serviceId, properties: { ...entry.properties },
    })),
  };

  const container = createContainer({ injectionMode: InjectionMode.PROXY, strict: true });
  container.register({
    config: asValue(config),
    cascade: asValue(cascade),
    registry: asValue(registry),
    hooks: asValue(hooks),
    kernel: asValue(control),
  });

  const shared: RuntimeShared = {
    container,
    registry,
    hooks,
    config,
    cascade,
    logger,
    http: (bundle) => {
      if (!http) throw new Error(`Bundle '${bundle}' asked for HTTP but the kernel runs without an HTTP server`);
      return http.forBundle(bundle);
    },
    control,
    shuttingDown: () => shuttingDown,
  };

  for (const [ref, service] of options.services ?? []) registry.register('kernel', ref, service);
  if (http) {
    registerHealthRoutes(http.forBundle('kernel'), registry, () => [...records.values()]
      .filter((r) => r.status === 'enabled' && r.state !== 'ACTIVE').map((r) => r.name).sort());
  }

  function requireRecord(name: string): BundleRecord {
    const record = records.get(name);
    if (!record) throw keelError('KEEL-BUNDLE-UNKNOWN', { name });
    return record;
  }

  function health() {
    const bundles: Record<string, number> = {};
    let degraded = false;
    for (const record of records.values()) {
      bundles[record.state] = (bundles[record.state] ?? 0) + 1;
      if (record.status === 'enabled' && record.state !== 'ACTIVE') degraded = true;
    }
    return { status: degraded ? ('degraded' as const) : ('ok' as const), bundles };
  }

  // ---- discovery, status, import, resolution ------------------------------------------------

  async function refreshRecords(): Promise<void> {
    const descriptors: BundleDescriptor[] = [];
    if (options.discover !== false) {
      const extraDirs = [
        ...(options.bundleDirs ?? []),
        ...splitDirs(env.KEEL_BUNDLE_DIRS),
        ...config.getList('keel.bundles.dirs'),
      ].map((dir) => resolve(root, dir));
      const found = await discoverBundles({ root, extraDirs });
      descriptors.push(...found.bundles);
      // Broken packages are keyed by directory: a duplicate must not shadow the valid bundle of that name.
      for (const key of [...records.keys()]) if (key.startsWith('broken:')) records.delete(key);
      for (const broken of found.broken) {
        const name = broken.name ?? basename(broken.directory);
        records.set(`broken:${broken.directory}`, {
          name, version: '0.0.0', packageName: name, directory: broken.directory, status: 'enabled', state: 'INSTALLED',
          error: broken.error, dependencies: { required: new Set(), optional: new Set() },
        });
      }
    }
    const packagesFile = 'packages.yml';
    const decision = decidePackageStatus(descriptors, config.yaml(packagesFile), resolve(configDir, packagesFile));
    for (const unknown of decision.unknownNames) {
      logger.warn({ file: resolve(configDir, packagesFile), name: unknown }, `packages.yml names '${unknown}', which is no installed bundle or alias`);
    }
    for (const descriptor of descriptors) {
      const status = decision.status.get(descriptor.name)!;
      const existing = records.get(descriptor.name);
      if (existing) {
        existing.status = status;
        continue;
      }
      records.set(descriptor.name, {
        name: descriptor.name, version: descriptor.version, packageName: descriptor.packageName, directory: descriptor.directory,
        descriptor, status, state: status === 'enabled' ? 'INSTALLED' : 'UNINSTALLED', dependencies: { required: new Set(), optional: new Set() },
      });
    }
    for (const inline of options.inlineBundles ?? []) {
      if (records.has(inline.name)) continue;
      records.set(inline.name, {
        name: inline.name, version: inline.version ?? '0.0.0', packageName: inline.name, directory: root,
        status: inline.status ?? 'enabled', state: (inline.status ?? 'enabled') === 'enabled' ? 'INSTALLED' : 'UNINSTALLED',
        definition: inline.definition, dependencies: { required: new Set(), optional: new Set() },
      });
    }
  }

  /** Imports the activators of enabled bundles; disabled bundles are never imported. */
  async function loadDefinitions(): Promise<void> {
    await Promise.all([...records.values()].map(async (record) => {
      if (record.status !== 'enabled' || record.definition || !record.descriptor) return;
      const file = record.descriptor.activatorPath;
      try {
        const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
        if (!isDefinedBundle(module.default)) {
          throw new Error('its default export is not the result of defineBundle(...) from @keel/plugin-sdk');
        }
        record.definition = module.default;
      } catch (error) {
        const detail = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' ? `file not found (build the bundle?)` : (error as Error).message;
        record.error = keelError('KEEL-BUNDLE-ACTIVATOR', { name: record.name, file, detail }, { cause: error });
      }
    }));
  }

  function resolveAll(): string[] {
    const candidates = [...records.values()].filter((r) => r.status === 'enabled' && r.definition && !isLoadError(r));
    const resolution = resolveBundles(
      candidates.map((record) => ({
        name: record.name,
        sdkRange: record.descriptor?.sdkRange ?? `^${SDK_VERSION}`,
        packageJsonPath: record.descriptor?.packageJsonPath ?? '(inline bundle)',
        provides: record.definition!.provides ?? [],
        requires: Object.values(record.definition!.requires ?? {}),
        optional: Object.values(record.definition!.optional ?? {}),
      })),
      SDK_VERSION,
      (options.services ?? []).map(([ref]) => ref),
    );
    for (const [name, error] of resolution.failed) {
      const record = records.get(name)!;
      if (record.state === 'ACTIVE') continue;
      record.error = error;
      record.state = 'INSTALLED';
    }
    for (const name of resolution.order) {
      const record = records.get(name)!;
      record.dependencies = resolution.dependencies.get(name)!;
      if (record.state === 'INSTALLED' || record.state === 'UNINSTALLED') {
        record.state = 'RESOLVED';
        delete record.error;
        hooks.kernel.bundleResolved.call(recordInfo(record));
      }
    }
    return resolution.order;
  }

  function isLoadError(record: BundleRecord): boolean {
    return record.error?.code === 'KEEL-BUNDLE-ACTIVATOR' || record.error?.code === 'KEEL-BUNDLE-MANIFEST' || record.error?.code === 'KEEL-BUNDLE-DUPLICATE';
  }

  // ---- start and stop ------------------------------------------------------------------------

  async function startRecord(record: BundleRecord): Promise<boolean> {
    if (record.state === 'ACTIVE') return true;
    if (record.state !== 'RESOLVED' || !record.definition) return false;
    record.state = 'STARTING';
    delete record.error;
    delete record.parked;
    let running: ReturnType<typeof startBundle> | undefined;
    try {
      running = startBundle(shared, { name: record.name, version: record.version, directory: record.directory, definition: record.definition }, () => record.state === 'ACTIVE' || record.state === 'STARTING' || record.state === 'STOPPING');
      record.running = running;
      await withTimeout(running.started, startTimeoutMs, () => keelError('KEEL-BUNDLE-START-TIMEOUT', { name: record.name, timeout: startTimeoutMs }));
    } catch (error) {
      record.error = isKeelError(error) && error.code.startsWith('KEEL-') ? error : keelError('KEEL-BUNDLE-START', { name: record.name, detail: (error as Error)?.message ?? String(error) }, { cause: error });
      record.state = 'RESOLVED';
      record.parked = 'failed';
      delete record.running;
      await running?.discard().catch(() => undefined);
      logger.error({ bundle: record.name, code: record.error.code, err: error }, record.error.message);
      hooks.kernel.bundleFailed.call(recordInfo(record), record.error);
      return false;
    }
    record.state = 'ACTIVE';
    hooks.kernel.bundleStarted.call(recordInfo(record));
    logger.debug({ bundle: record.name, version: record.version }, 'bundle started');
    if (booted) await runStartedListeners(record);
    return true;
  }

  async function runStartedListeners(record: BundleRecord): Promise<void> {
    for (const listener of record.running?.onStarted ?? []) {
      try {
        await listener();
      } catch (error) {
        logger.error({ bundle: record.name, err: error }, 'onStarted listener failed');
      }
    }
  }

  /** Starts a bundle after the bundles it requires (used by the admin API and auto-restarts). */
  async function startWithDependencies(record: BundleRecord, visiting: Set<string>): Promise<boolean> {
    if (record.state === 'ACTIVE') return true;
    if (visiting.has(record.name)) return false;
    visiting.add(record.name);
    if (record.state === 'INSTALLED' || record.state === 'UNINSTALLED') {
      await loadDefinitions();
      resolveAll();
    }
    if (record.state !== 'RESOLVED') return false;
    for (const dependency of record.dependencies.required) {
      const dep = records.get(dependency);
      if (!dep || !(await startWithDependencies(dep, visiting))) {
        record.error = keelError('KEEL-BUNDLE-DEPENDENCY', { name: record.name, dependency, reason: dep?.error?.code ?? dep?.state ?? 'unknown' });
        record.parked = 'dependency';
        return false;
      }
    }
    return startRecord(record);
  }

  /** Stops a bundle after the active bundles that cannot run without it. */
  async function stopRecord(record: BundleRecord, reason: 'manual' | 'dependency' | 'disabled' | 'shutdown'): Promise<void> {
    if (record.state !== 'ACTIVE' && record.state !== 'STARTING') {
      if (reason === 'manual') record.parked = 'manual';
      return;
    }
    for (const dependent of dependentsLosing(record)) await stopRecord(dependent, 'dependency');
    record.state = 'STOPPING';
    try {
      await withTimeout(record.running!.stop(), stopTimeoutMs, () => keelError('KEEL-BUNDLE-STOP-TIMEOUT', { name: record.name, timeout: stopTimeoutMs }));
      delete record.error;
    } catch (error) {
      record.error = isKeelError(error) && error.code.startsWith('KEEL-') ? error : keelError('KEEL-BUNDLE-STOP', { name: record.name, detail: (error as Error)?.message ?? String(error) }, { cause: error });
      logger.error({ bundle: record.name, code: record.error.code, err: error }, record.error.message);
      await record.running!.discard().catch(() => undefined);
    }
    delete record.running;
    record.state = reason === 'disabled' ? 'UNINSTALLED' : 'RESOLVED';
    if (reason === 'manual') record.parked = 'manual';
    else if (reason === 'dependency') record.parked = 'dependency';
    hooks.kernel.bundleStopped.call(recordInfo(record));
    logger.info({ bundle: record.name, reason }, 'bundle stopped');
  }

  /** Active bundles with a required ref that only `provider` satisfies. */
  function dependentsLosing(provider: BundleRecord): BundleRecord[] {
    const providedIds = new Set((provider.definition?.provides ?? []).map((ref) => ref.id));
    return [...records.values()].filter((record) => {
      if (record.state !== 'ACTIVE' || record === provider) return false;
      return Object.values(record.definition?.requires ?? {}).some((ref) =>
        providedIds.has(ref.id) && !registry.entries(ref).some((entry) => entry.bundle !== provider.name));
    });
  }

  function onServiceRemoved(refId: string): void {
    if (!booted || shuttingDown) return;
    // A provider withdrew a service on its own: dependents without any other provider stop.
    const stranded = [...records.values()].filter((record) => record.state === 'ACTIVE'
      && Object.values(record.definition?.requires ?? {}).some((ref) => ref.id === refId && !registry.get(ref)));
    if (stranded.length === 0) return;
    void exclusive(async () => {
      for (const record of stranded) {
        if (Object.values(record.definition?.requires ?? {}).some((ref) => ref.id === refId && !registry.get(ref))) {
          await stopRecord(record, 'dependency');
        }
      }
    });
  }

  function onServiceAdded(refId: string): void {
    if (!booted || shuttingDown) return;
    const waiting = [...records.values()].filter((record) => record.state === 'RESOLVED' && record.parked === 'dependency'
      && Object.values(record.definition?.requires ?? {}).some((ref) => ref.id === refId));
    if (waiting.length === 0) return;
    void exclusive(async () => {
      for (const record of waiting) {
        const ready = Object.values(record.definition?.requires ?? {}).every((ref) => registry.get(ref) !== undefined);
        if (ready && record.state === 'RESOLVED' && record.parked === 'dependency') {
          logger.info({ bundle: record.name }, 'restarting bundle: its required services are back');
          await startRecord(record);
        }
      }
    });
  }

  /** Starts `names` (a topological order) with independent bundles in parallel. */
  async function startInOrder(names: readonly string[]): Promise<void> {
    const done = new Map<string, Promise<boolean>>();
    for (const name of names) {
      const record = records.get(name)!;
      done.set(name, (async () => {
        const required = await Promise.all([...record.dependencies.required].map(async (dep) => [dep, await (done.get(dep) ?? Promise.resolve(isActive(dep)))] as const));
        await Promise.all([...record.dependencies.optional].map((dep) => done.get(dep)));
        const missing = required.find(([, ok]) => !ok);
        if (missing) {
          if (record.state === 'ACTIVE') return true;
          const dep = records.get(missing[0]);
          record.error = keelError('KEEL-BUNDLE-DEPENDENCY', { name, dependency: missing[0], reason: dep?.error?.code ?? dep?.state ?? 'unknown' });
          record.parked = 'dependency';
          return false;
        }
        if (record.parked === 'manual') return false;
        return startRecord(record);
      })());
    }
    await Promise.all(done.values());
  }

  /** Stops every active bundle, dependents first, independent ones in parallel. */
  async function stopAll(reason: 'shutdown'): Promise<void> {
    for (;;) {
      const active = [...records.values()].filter((r) => r.state === 'ACTIVE' || r.state === 'STARTING');
      if (active.length === 0) return;
      const leaves = active.filter((record) => !active.some((other) => other !== record
        && (other.dependencies.required.has(record.name) || other.dependencies.optional.has(record.name))));
      await Promise.all((leaves.length > 0 ? leaves : active).map((record) => stopRecord(record, reason)));
    }
  }

  function summarize(): void {
    const leftOut = [...records.values()].filter((r) => r.state !== 'ACTIVE').sort((a, b) => a.name.localeCompare(b.name));
    const active = records.size - leftOut.length;
    if (leftOut.length === 0) {
      logger.info({ active }, `All ${active} bundles started`);
      return;
    }
    const reasons = leftOut.map((r) => `${r.name} (${r.status === 'disabled' ? 'disabled in packages.yml' : r.error ? `${r.error.code}: ${r.error.message}` : r.state})`);
    const failed = leftOut.filter((r) => r.status === 'enabled');
    const log = failed.length > 0 ? logger.warn.bind(logger) : logger.info.bind(logger);
    log({ active, notStarted: leftOut.map((r) => r.name) }, `Bundles ${leftOut.map((r) => r.name).join(', ')} were not started: ${reasons.join('; ')}`);
  }

  async function reload(): Promise<{ started: string[]; stopped: string[] }> {
    const before = new Map([...records.values()].map((r) => [r.name, r.state]));
    await config.reload();
    await cascade.reload();
    await hooks.kernel.configReloaded.promise().catch((error: unknown) => logger.error({ err: error }, 'a configReloaded tap failed'));
    await refreshRecords();
    // Newly disabled bundles stop (their dependents with them).
    for (const record of records.values()) {
      if (record.status === 'disabled' && (record.state === 'ACTIVE' || record.state === 'STARTING')) await stopRecord(record, 'disabled');
      else if (record.status === 'disabled') record.state = 'UNINSTALLED';
    }
    for (const record of records.values()) {
      // Retry what failed before: the operator may have fixed its configuration.
      if (record.status === 'enabled' && record.state !== 'ACTIVE' && record.parked !== 'manual' && !isLoadError(record)) {
        if (record.state === 'RESOLVED') record.state = 'INSTALLED';
      }
    }
    await loadDefinitions();
    const order = resolveAll();
    await startInOrder(order.filter((name) => records.get(name)!.state === 'RESOLVED'));
    const started: string[] = [];
    const stopped: string[] = [];
    for (const record of records.values()) {
      const was = before.get(record.name);
      if (record.state === 'ACTIVE' && was !== 'ACTIVE') started.push(record.name);
      if (record.state !== 'ACTIVE' && was === 'ACTIVE') stopped.push(record.name);
    }
    summarize();
    return { started: started.sort(), stopped: stopped.sort() };
  }

  return {
    control,
    registry,
    config,
    logger,
    http,
    async start() {
      await exclusive(async () => {
        await refreshRecords();
        await loadDefinitions();
        const order = resolveAll();
        await startInOrder(order);
        if (http) {
          const address = await http.listen();
          logger.info(address, `Keel listening on http://${address.host}:${address.port}`);
        }
        booted = true;
        for (const name of order) {
          const record = records.get(name)!;
          if (record.state === 'ACTIVE') await runStartedListeners(record);
        }
        summarize();
      });
    },
    async plan() {
      await refreshRecords();
      await loadDefinitions();
      resolveAll();
      return control.bundles();
    },
    async stop() {
      shuttingDown = true;
      await exclusive(async () => {
        await stopAll('shutdown');
        await http?.close();
      });
    },
    address: () => http?.address(),
  };
}

function splitDirs(value: string | undefined): string[] {
  if (!value) return [];
  return value.split(process.platform === 'win32' ? ';' : ':').map((s) => s.trim()).filter(Boolean);
}

export type { KeelError };
