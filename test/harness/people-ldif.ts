// Synthetic directory content: inetOrgPerson entries under ou=people for LDAP tests (paging, binds).

export interface PeopleLdifOptions {
  /** default dc=example,dc=com */
  suffix?: string;
  /** Container RDN value under the suffix (default "people" → ou=people,<suffix>). */
  ou?: string;
  /** Emit the ou entry before the people (default true). */
  includeContainer?: boolean;
  /** uid = <uidPrefix><index> (default "user"). */
  uidPrefix?: string;
  /** First index (default 1). */
  start?: number;
  /** Mail domain (default: the suffix's dc parts joined, e.g. example.com). */
  mailDomain?: string;
  /** Clear-text userPassword (default index => `secret<index>`). */
  password?: string | ((index: number) => string);
}

/** An LDIF attribute line, base64-encoded (attr:: …) when the value is not a safe LDIF string. */
export function ldifLine(attribute: string, value: string): string {
  // RFC 2849 SAFE-STRING: no NUL/CR/LF, printable ASCII, no leading space, ':' or '<', no trailing space
  const safe = /^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f][\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(value) && !value.endsWith(' ');
  return safe || value === '' ? `${attribute}: ${value}` : `${attribute}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

export function mailDomainOf(suffix: string): string {
  const parts = suffix
    .split(',')
    .map((rdn) => /^\s*dc=(.+?)\s*$/i.exec(rdn)?.[1])
    .filter((part): part is string => part !== undefined);
  return parts.length > 0 ? parts.join('.') : 'example.com';
}

/** The DN of a generated person. */
export function personDn(uid: string, options: Pick<PeopleLdifOptions, 'suffix' | 'ou'> = {}): string {
  return `uid=${uid},ou=${options.ou ?? 'people'},${options.suffix ?? 'dc=example,dc=com'}`;
}

export function generatePeopleLdif(count: number, options: PeopleLdifOptions = {}): string {
  const suffix = options.suffix ?? 'dc=example,dc=com';
  const ou = options.ou ?? 'people';
  const uidPrefix = options.uidPrefix ?? 'user';
  const start = options.start ?? 1;
  const domain = options.mailDomain ?? mailDomainOf(suffix);
  const password = options.password ?? ((index: number) => `secret${index}`);
  const entries: string[] = [];
  if (options.includeContainer !== false) {
    entries.push([`dn: ou=${ou},${suffix}`, 'objectClass: organizationalUnit', ldifLine('ou', ou)].join('\n'));
  }
  for (let index = start; index < start + count; index++) {
    const uid = `${uidPrefix}${index}`;
    const givenName = `Given${index}`;
    const sn = `Family${index}`;
    entries.push(
      [
        ldifLine('dn', personDn(uid, { suffix, ou })),
        'objectClass: inetOrgPerson',
        ldifLine('uid', uid),
        ldifLine('cn', `${givenName} ${sn}`),
        ldifLine('sn', sn),
        ldifLine('givenName', givenName),
        ldifLine('mail', `${uid}@${domain}`),
        ldifLine('userPassword', typeof password === 'string' ? password : password(index)),
        `telephoneNumber: +49 555 ${String(index).padStart(7, '0')}`,
      ].join('\n'),
    );
  }
  return `${entries.join('\n\n')}\n`;
}
