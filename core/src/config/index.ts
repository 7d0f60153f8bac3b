// The configuration layer: server scope (properties files, placeholders, env overrides, YAML option
// files) and the config cascade (user → context → context sets → server) over it.
export { parseProperties, type PropertyEntry } from './properties-parser.js';
export { loadServerConfig, type ServerConfig, type ServerConfigOptions } from './server-config.js';
export { createConfigCascade, type ConfigCascadeOptions, type ReloadableConfigCascade } from './config-cascade.js';
export { parseTagExpression, type TagPredicate } from './tag-expression.js';
export { envNameFor } from './env-overrides.js';
