/** One entry of an Application Integration server's `cmd=list` answer, checked and trimmed. */
export interface RemoteUser {
  userName: string;
  distinguishedName?: string;
  fullName?: string;
  /** Without blanks and duplicates (case-insensitive), in the server's order: the first is the primary. */
  emailAddresses: string[];
}

/** Field names looked up case-insensitively: `UserName` and `username` are what hand-written servers send. */
function fieldsOf(entry: Record<string, unknown>): Map<string, unknown> {
  const fields = new Map<string, unknown>();
  for (const [name, value] of Object.entries(entry)) fields.set(name.toLowerCase(), value);
  return fields;
}

function optionalText(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new TypeError(`${field} must be a string`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** The entry as a RemoteUser, or the reason it cannot be used. */
export function toRemoteUser(entry: unknown): RemoteUser | string {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return 'the entry is not an object';
  const fields = fieldsOf(entry as Record<string, unknown>);
  try {
    const userName = optionalText(fields.get('username'), 'userName');
    if (userName === undefined) return 'userName is missing or empty';
    const user: RemoteUser = { userName, emailAddresses: [] };
    const distinguishedName = optionalText(fields.get('distinguishedname'), 'distinguishedName');
    if (distinguishedName !== undefined) user.distinguishedName = distinguishedName;
    const fullName = optionalText(fields.get('fullname'), 'fullName');
    if (fullName !== undefined) user.fullName = fullName;
    const addresses = fields.get('emailaddresses');
    // Tolerated: a single address as a string instead of a one-element array.
    const list = addresses === undefined || addresses === null ? [] : Array.isArray(addresses) ? addresses : [addresses];
    const seen = new Set<string>();
    for (const address of list) {
      const text = optionalText(address, 'emailAddresses');
      if (text === undefined || seen.has(text.toLowerCase())) continue;
      seen.add(text.toLowerCase());
      user.emailAddresses.push(text);
    }
    return user;
  } catch (error) {
    return (error as Error).message;
  }
}
