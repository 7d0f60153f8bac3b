import { KeelError } from '@keel/plugin-sdk';

/**
 * Every error code the core raises, with its HTTP status and a message template. Codes are stable:
 * operators grep for them and tests pin them. Templates use `{name}` placeholders.
 */
export const ERRORS = {
  // kernel: discovery and manifests
  'KEEL-BUNDLE-MANIFEST': { status: 500, message: "Bundle package {file} has an invalid manifest: {detail}" },
  'KEEL-BUNDLE-DUPLICATE': { status: 500, message: "Bundle name '{name}' is declared by both {first} and {second}; rename one of them or disable one in packages.yml" },
  'KEEL-BUNDLE-ACTIVATOR': { status: 500, message: "Bundle '{name}' could not load its activator {file}: {detail}" },
  'KEEL-SDK-RANGE': { status: 500, message: "Bundle '{name}' was built for @keel/plugin-sdk {range} but this kernel provides {version}; rebuild it against a matching SDK or change peerDependencies in {file}" },
  'KEEL-SERVICE-MISSING': { status: 500, message: "Bundle '{name}' requires service '{ref}' but no enabled bundle provides it{hint}" },
  'KEEL-SERVICE-RANGE': { status: 500, message: "Bundle '{name}' requires service '{ref}' but it is only provided at {provided}; upgrade the provider or relax the range in {name}" },
  'KEEL-SERVICE-UNDECLARED': { status: 500, message: "Bundle '{name}' registered service '{ref}' which is not listed in its provides; add it to provides in defineBundle" },
  'KEEL-BUNDLE-CYCLE': { status: 500, message: "Bundles form a dependency cycle: {path}; make one of these references optional" },
  'KEEL-BUNDLE-DEPENDENCY': { status: 500, message: "Bundle '{name}' was not started because its dependency '{dependency}' is not active ({reason})" },
  'KEEL-BUNDLE-START': { status: 500, message: "Bundle '{name}' failed to start: {detail}" },
  'KEEL-BUNDLE-START-TIMEOUT': { status: 500, message: "Bundle '{name}' did not finish starting within {timeout} ms; check what its start() awaits or raise keel.bundles.startTimeout" },
  'KEEL-BUNDLE-STOP': { status: 500, message: "Bundle '{name}' failed to stop cleanly: {detail}" },
  'KEEL-BUNDLE-STOP-TIMEOUT': { status: 500, message: "Bundle '{name}' did not finish stopping within {timeout} ms" },
  'KEEL-BUNDLE-UNKNOWN': { status: 404, message: "No bundle named '{name}'" },
  'KEEL-BUNDLE-DISABLED': { status: 409, message: "Bundle '{name}' is disabled in packages.yml; enable it there and run keel reload" },
  'KEEL-BUNDLE-INACTIVE': { status: 503, message: "The bundle serving this route ('{name}') is not active" },
  'KEEL-PACKAGES-CONFIG': { status: 500, message: "Package status file {file} is invalid: {detail}" },
  // configuration
  'KEEL-CONFIG-SYNTAX': { status: 500, message: "{file}:{line}: {detail}" },
  'KEEL-CONFIG-VALUE': { status: 500, message: "Property '{name}' (from {source}) has value '{value}', expected {expected}" },
  'KEEL-CONFIG-YAML': { status: 500, message: "YAML file {file} is invalid at line {line}: {detail}" },
  'KEEL-CONFIG-FILE-NAME': { status: 500, message: "YAML option file name '{file}' must be a plain file name inside the config directory" },
  'KEEL-CONFIG-PLACEHOLDER': { status: 500, message: "Property '{name}' (from {source}) refers to {placeholder}, which is not set" },
  'KEEL-CONFIG-TAG-EXPRESSION': { status: 500, message: "Context set '{set}' in {file} has an invalid withTags expression '{expression}': {detail}" },
  // http
  'KEEL-HTTP-NOT-FOUND': { status: 404, message: "No route for {method} {path}" },
  'KEEL-HTTP-METHOD': { status: 405, message: "Method {method} is not allowed for {path}" },
  'KEEL-HTTP-UNKNOWN-MODULE': { status: 404, message: "Unknown module '{module}'" },
  'KEEL-HTTP-UNKNOWN-ACTION': { status: 400, message: "Unknown action '{action}' for module '{module}'" },
  'KEEL-HTTP-MISSING-ACTION': { status: 400, message: "Missing parameter 'action' for module '{module}'" },
  'KEEL-HTTP-BODY': { status: 400, message: "Request body could not be parsed: {detail}" },
  'KEEL-HTTP-BODY-SIZE': { status: 413, message: "Request body is larger than {limit} bytes" },
  'KEEL-HTTP-MEDIA-TYPE': { status: 415, message: "Unsupported content type '{type}'" },
  'KEEL-HTTP-MALFORMED': { status: 400, message: "The request is not valid HTTP ({detail})" },
  'KEEL-HTTP-BAD-URL': { status: 400, message: "The request path cannot be decoded ({detail})" },
  'KEEL-HTTP-HEADERS-SIZE': { status: 431, message: "The request line and headers are larger than {limit} bytes" },
  'KEEL-HTTP-TIMEOUT': { status: 408, message: "The request was not received completely within {timeout} ms" },
  'KEEL-INTERNAL': { status: 500, message: "Internal error ({reference}); see the server log" },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** Builds the KeelError for a code, filling the template from `values`. */
export function keelError(code: ErrorCode, values: Record<string, unknown> = {}, options: { cause?: unknown; headers?: Record<string, string> } = {}): KeelError {
  const { status, message } = ERRORS[code];
  const text = message.replace(/\{(\w+)\}/g, (_, key: string) => (key in values ? String(values[key]) : ''));
  return new KeelError(code, text, { status, params: Object.values(values), ...options });
}
