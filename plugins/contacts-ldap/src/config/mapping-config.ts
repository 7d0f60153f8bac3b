// contacts-ldap-mappings.yml: which LDAP attribute(s) fill which contact field, first one set wins.
import type { ContactAddressType, ContactPhoneType } from '@keel/plugin-sdk';
import { YamlReader } from './yaml-reader.js';

export const MAPPINGS_FILE = 'contacts-ldap-mappings.yml';

export const TEXT_FIELDS = ['displayName', 'givenName', 'surname', 'middleName', 'prefix', 'suffix', 'nickname', 'company', 'department', 'position', 'url', 'note', 'birthday'] as const;
export type MappedTextField = (typeof TEXT_FIELDS)[number];

const PHONE_TYPES: readonly ContactPhoneType[] = ['business', 'home', 'mobile', 'fax', 'other'];
const ADDRESS_TYPES: readonly ContactAddressType[] = ['business', 'home', 'other'];
const ADDRESS_PARTS = ['street', 'city', 'postalCode', 'region', 'country'] as const;

export interface Mapping {
  name: string;
  /** `dn`: contact ids encode the entry's DN; otherwise the attribute whose value is the id (`uid`, `entryUUID`). */
  id: 'dn' | { attribute: string };
  /** Single-valued fields: the first listed attribute with a value wins (fallbacks). */
  text: Partial<Record<MappedTextField, string[]>>;
  /** Every value of every listed attribute, in order, without duplicates. */
  emails: string[];
  categories: string[];
  phones: Partial<Record<ContactPhoneType, string[]>>;
  addresses: Partial<Record<ContactAddressType, Partial<Record<(typeof ADDRESS_PARTS)[number], string[]>>>>;
  /** A GeneralizedTime attribute such as modifyTimestamp. */
  lastModified: string[];
}

/** What works with inetOrgPerson out of the box; a mappings file may define it anew. */
export const DEFAULT_MAPPING: Mapping = {
  name: 'default',
  id: 'dn',
  text: {
    displayName: ['displayName', 'cn'],
    givenName: ['givenName'],
    surname: ['sn'],
    company: ['o'],
    department: ['departmentNumber', 'ou'],
    position: ['title'],
    note: ['description'],
    url: ['labeledURI'],
  },
  emails: ['mail'],
  categories: [],
  phones: { business: ['telephoneNumber'], mobile: ['mobile'], home: ['homePhone'], fax: ['facsimileTelephoneNumber'] },
  addresses: { business: { street: ['street'], city: ['l'], postalCode: ['postalCode'], region: ['st'] } },
  lastModified: ['modifyTimestamp'],
};

const ATTRIBUTE = /^[A-Za-z][A-Za-z0-9-]*(;[A-Za-z0-9-]+)*$|^\d+(\.\d+)+$/;

function attributes(reader: YamlReader): string[] {
  const names = reader.stringList();
  for (const name of names) if (!ATTRIBUTE.test(name)) reader.problem(`"${name}" is not an LDAP attribute name`);
  return names;
}

function readMapping(name: string, reader: YamlReader): Mapping {
  const mapping: Mapping = { name, id: 'dn', text: {}, emails: [], categories: [], phones: {}, addresses: {}, lastModified: [] };
  for (const [key, value] of reader.entries()) {
    const [head, second, third] = key.split('.');
    if (key === 'id') {
      const id = value.string();
      mapping.id = id.toLowerCase() === 'dn' ? 'dn' : { attribute: attributes(value)[0]! };
    } else if ((TEXT_FIELDS as readonly string[]).includes(key)) {
      mapping.text[key as MappedTextField] = attributes(value);
    } else if (key === 'emails' || key === 'categories' || key === 'lastModified') {
      mapping[key] = attributes(value);
    } else if (head === 'phones' && PHONE_TYPES.includes(second as ContactPhoneType) && third === undefined) {
      mapping.phones[second as ContactPhoneType] = attributes(value);
    } else if (head === 'addresses' && ADDRESS_TYPES.includes(second as ContactAddressType) && (ADDRESS_PARTS as readonly string[]).includes(third ?? '')) {
      const address = (mapping.addresses[second as ContactAddressType] ??= {});
      address[third as (typeof ADDRESS_PARTS)[number]] = attributes(value);
    } else {
      reader.problem(
        `maps an unknown contact field "${key}" (fields: id, ${TEXT_FIELDS.join(', ')}, emails, categories, lastModified, phones.<${PHONE_TYPES.join('|')}>, addresses.<${ADDRESS_TYPES.join('|')}>.<${ADDRESS_PARTS.join('|')}>)`,
      );
    }
  }
  if (!mapping.text.displayName?.length) reader.problem('must map displayName (e.g. [displayName, cn])');
  return mapping;
}

/** The named mappings; `default` is built in unless the file defines it. */
export function readMappings(yaml: unknown): Map<string, Mapping> {
  const root = new YamlReader(MAPPINGS_FILE, '', yaml).keys(['mappings']);
  const mappings = new Map<string, Mapping>([['default', DEFAULT_MAPPING]]);
  for (const [name, reader] of root.child('mappings').entries()) mappings.set(name, readMapping(name, reader));
  return mappings;
}

/** Every attribute a mapping reads, for the search request's attribute list. */
export function mappedAttributes(mapping: Mapping): string[] {
  const names = new Set<string>([
    ...Object.values(mapping.text).flat(),
    ...mapping.emails,
    ...mapping.categories,
    ...mapping.lastModified,
    ...Object.values(mapping.phones).flat(),
    ...Object.values(mapping.addresses).flatMap((parts) => Object.values(parts ?? {}).flat()),
    ...(mapping.id === 'dn' ? [] : [mapping.id.attribute]),
  ]);
  return [...names];
}

/** The attributes a search pattern is matched against: the name fields and the mail attributes. */
export function searchAttributes(mapping: Mapping): string[] {
  return [...new Set([...(mapping.text.displayName ?? []), ...(mapping.text.givenName ?? []), ...(mapping.text.surname ?? []), ...mapping.emails])];
}
