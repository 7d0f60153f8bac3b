/**
 * A service ref names a service and carries its TypeScript type as a phantom parameter.
 * It is plain frozen data: the kernel compares refs by `id`, never by identity.
 *
 * The `version` is the contract version. When a bundle *provides* a ref it provides exactly
 * that version; when it *requires* one the version is read as a caret range (`^version`), so
 * a consumer built against 1.2.0 accepts any provider at 1.x.y ≥ 1.2.0.
 */
export interface ServiceRef<T, Multiple extends boolean = boolean> {
  readonly id: string;
  readonly version: string;
  /** `true`: many providers are expected (auth backends, PNS transports) and consumers see all of them. */
  readonly multiple: Multiple;
  /** Phantom member: never set at runtime, it only carries `T`. */
  readonly $type?: T;
}

export type ServiceOf<R> = R extends ServiceRef<infer T, boolean> ? T : never;

const ID_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$/;
const VERSION_PATTERN = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

export function createServiceRef<T>(options: { id: string; version: string; multiple?: false }): ServiceRef<T, false>;
export function createServiceRef<T>(options: { id: string; version: string; multiple: true }): ServiceRef<T, true>;
export function createServiceRef<T>(options: { id: string; version: string; multiple?: boolean }): ServiceRef<T, boolean> {
  if (!ID_PATTERN.test(options.id)) {
    throw new TypeError(`Invalid service ref id '${options.id}': use dotted lower-case segments such as 'contacts.storage'`);
  }
  if (!VERSION_PATTERN.test(options.version)) {
    throw new TypeError(`Invalid version '${options.version}' for service ref '${options.id}': use a semver version such as '1.0.0'`);
  }
  return Object.freeze({ id: options.id, version: options.version, multiple: options.multiple === true });
}

/** `id@version`, the way refs appear in logs and error messages. */
export function describeRef(ref: ServiceRef<unknown>): string {
  return `${ref.id}@${ref.version}`;
}
