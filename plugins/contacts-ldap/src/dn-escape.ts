// RFC 4514 §2.4: escaping a value placed into a DN, so a login name cannot add RDNs or attributes.

/** Escapes an attribute value for a DN string. */
export function escapeDnValue(value: string): string {
  let escaped = '';
  const chars = Array.from(value);
  chars.forEach((char, index) => {
    if (char === '\0') escaped += '\\00';
    else if ('"+,;<>\\='.includes(char)) escaped += `\\${char}`;
    else if (index === 0 && (char === ' ' || char === '#')) escaped += `\\${char}`;
    else if (index === chars.length - 1 && char === ' ') escaped += '\\ ';
    else escaped += char;
  });
  return escaped;
}

/** Lower-cased, spaces around separators dropped: good enough to compare configured and returned DNs. */
export function normalizeDn(dn: string): string {
  return dn.trim().toLowerCase().replace(/\s*([,=+])\s*/g, '$1');
}

/** Whether `dn` lies in the search scope `scope` of `base` (compared on normalised strings). */
export function dnInScope(dn: string, base: string, scope: 'base' | 'one' | 'sub'): boolean {
  const entry = normalizeDn(dn);
  const root = normalizeDn(base);
  if (scope === 'base') return entry === root;
  if (!entry.endsWith(`,${root}`)) return scope === 'sub' && entry === root;
  if (scope === 'sub') return true;
  // one level: what is left before the base is a single RDN (no unescaped comma)
  const head = entry.slice(0, entry.length - root.length - 1);
  return !/(^|[^\\])(\\\\)*,/.test(head);
}
