import type { HttpHandler, HttpMethod } from '@keel/plugin-sdk';

/** One module action (`<apiPrefix>/<module>?action=<action>`) as a bundle registered it. */
export interface ActionEntry {
  readonly owner: string;
  readonly module: string;
  readonly action: string;
  /** `<module>?action=<action>`, built once: the route label of the request metrics. */
  readonly pattern: string;
  readonly methods: readonly HttpMethod[];
  readonly handler: HttpHandler;
  readonly bodyLimit: number;
}

export interface ActionTable {
  /** Adds or (for the same owner) replaces an action; throws naming both bundles when another owns it. */
  add(entry: ActionEntry): void;
  hasModule(module: string): boolean;
  lookup(module: string, action: string): ActionEntry | undefined;
  removeOwner(owner: string): void;
}

export function createActionTable(): ActionTable {
  const modules = new Map<string, Map<string, ActionEntry>>();

  function add(entry: ActionEntry): void {
    let actions = modules.get(entry.module);
    if (actions === undefined) modules.set(entry.module, (actions = new Map()));
    const existing = actions.get(entry.action);
    if (existing !== undefined && existing.owner !== entry.owner) {
      throw new Error(
        `Action '${entry.action}' of module '${entry.module}' is registered by bundle '${existing.owner}'; bundle '${entry.owner}' cannot register it too`,
      );
    }
    actions.set(entry.action, entry);
  }

  function removeOwner(owner: string): void {
    for (const [module, actions] of modules) {
      for (const [action, entry] of actions) if (entry.owner === owner) actions.delete(action);
      if (actions.size === 0) modules.delete(module);
    }
  }

  return {
    add,
    hasModule: (module) => modules.has(module),
    lookup: (module, action) => modules.get(module)?.get(action),
    removeOwner,
  };
}
