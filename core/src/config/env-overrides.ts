/**
 * Environment overrides, for secrets: property `a.b-c.d` is overridden by `KEEL_A_B_C_D` (upper case,
 * every character that is not a letter or digit becomes `_`). Several property names can map to one
 * variable (`a.b` and `a-b`); the variable then overrides all of them.
 */
export function envNameFor(property: string): string {
  return 'KEEL_' + property.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** The `KEEL_*` variables of an environment, copied so later changes only count after a reload. */
export function snapshotKeelEnv(env: NodeJS.ProcessEnv): Map<string, string> {
  const snapshot = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && name.startsWith('KEEL_')) snapshot.set(name, value);
  }
  return snapshot;
}
