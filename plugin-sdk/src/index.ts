export { createServiceRef, describeRef } from './service-ref.js';
export type { ServiceRef, ServiceOf } from './service-ref.js';
export { defineBundle, isDefinedBundle, BUNDLE_BRAND } from './bundle.js';
export type {
  BundleContext, BundleDefinition, DefinedBundle, OptionalServices, RefRecord, RequiredServices, StopFunction,
} from './bundle.js';
export { briefErrorMessage, KeelError, isKeelError } from './errors.js';
export { createHookRef } from './contracts/hooks.js';
export type { BundleHooks, HookRef, KernelHooks } from './contracts/hooks.js';
export type { Logger } from './contracts/logger.js';
export type { ConfigService } from './contracts/config.js';
export type { CascadeScope, CascadeSubject, CascadeValue, ConfigCascade, ConfigScopeProvider, ConfigView } from './contracts/cascade.js';
export type { ActionOptions, HttpHandler, HttpMethod, HttpReply, HttpRequest, HttpService, RouteOptions } from './contracts/http.js';
export type { Cancel, Scheduler } from './contracts/scheduler.js';
export type { BundleInfo, BundleState, KernelControl, Lifecycle } from './contracts/lifecycle.js';
export type {
  PropertyFilter, RegisterOptions, ServiceEntry, ServiceProperties, ServiceRegistration, ServiceRegistry, ServiceTracker, TrackerEvent,
} from './contracts/registry.js';
export { configScopeProviderRef } from './refs.js';
export * as tapable from 'tapable';
export { CliError, defineCommands, formatTable, isDefinedCommands } from './cli.js';
export type { AdminClient, CommandInput, CommandOption, CommandSpec, DefinedCommands } from './cli.js';
export * from './contracts/database.js';
export * from './contracts/directory.js';
export * from './contracts/sessions.js';
export * from './contracts/auth.js';
export * from './contracts/admin.js';
export * from './contracts/pns.js';
export * from './contracts/websockets.js';
export * from './contracts/mail.js';
export * from './contracts/push.js';
export * from './contracts/contacts.js';
export * from './contracts/health.js';
export * from './contracts/metrics.js';
export * from './contracts/cluster.js';
export { createCredentialCipher, passcryptMissing, undecryptable } from './crypto/credential-cipher.js';
export type { CredentialCipher, CredentialCipherOptions, ScryptParameters } from './crypto/credential-cipher.js';
export * from './contracts/rest.js';
export { createFailureTracker } from './security/failure-tracker.js';
export type { FailurePolicy, FailureTracker } from './security/failure-tracker.js';
export { createHttpsExchange, retryAfterMillis } from './transport/https-exchange.js';
export type { HttpsAnswer, HttpsExchange } from './transport/https-exchange.js';
export { metricFamily } from './metrics/metric-family.js';
export type { MetricSpec } from './metrics/metric-family.js';
export { abortableDelay, backoffMillis } from './transport/retry-backoff.js';
export type { RetryPolicy } from './transport/retry-backoff.js';
export { createVendorSettingsReader } from './transport/vendor-settings.js';
export type { VendorSettingsReader } from './transport/vendor-settings.js';
