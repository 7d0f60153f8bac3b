// App Suite column ids: `all`, `list` and `search` with `columns=1,20,500` answer arrays in that order.
import type { ContactSortField } from '@keel/plugin-sdk';
import type { ContactJson } from './contact-json.js';
import { badParameter } from './errors.js';

/** Column id → JSON field, as in the App Suite HTTP API's contact columns. */
export const COLUMNS: ReadonlyMap<number, string> = new Map([
  [1, 'id'], [4, 'creation_date'], [5, 'last_modified'], [20, 'folder_id'], [100, 'categories'],
  [500, 'display_name'], [501, 'first_name'], [502, 'last_name'], [503, 'second_name'], [504, 'suffix'], [505, 'title'],
  [506, 'street_home'], [507, 'postal_code_home'], [508, 'city_home'], [509, 'state_home'], [510, 'country_home'],
  [511, 'birthday'], [515, 'nickname'], [518, 'note'], [519, 'department'], [520, 'position'],
  [523, 'street_business'], [524, 'internal_userid'], [525, 'postal_code_business'], [526, 'city_business'],
  [527, 'state_business'], [528, 'country_business'], [538, 'street_other'], [539, 'city_other'], [540, 'postal_code_other'],
  [541, 'country_other'], [542, 'telephone_business1'], [543, 'telephone_business2'], [544, 'fax_business'],
  [548, 'telephone_home1'], [549, 'telephone_home2'], [551, 'cellular_telephone1'], [552, 'cellular_telephone2'],
  [553, 'telephone_other'], [555, 'email1'], [556, 'email2'], [557, 'email3'], [558, 'url'], [569, 'company'], [598, 'state_other'],
]);

/** Sort parameters may name a column id or a contract field. */
const SORT_COLUMNS: ReadonlyMap<string, ContactSortField> = new Map([
  ['500', 'displayName'], ['501', 'givenName'], ['502', 'surname'], ['569', 'company'], ['555', 'email'], ['5', 'lastModified'],
  ['607', 'displayName'],
]);

export function parseColumns(value: string | undefined): number[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const ids = value.split(',').map((part) => part.trim());
  if (ids.some((id) => !/^\d{1,5}$/.test(id))) throw badParameter('columns', 'must be a comma-separated list of column ids');
  return ids.map(Number);
}

export function sortFieldOf(value: string): ContactSortField | undefined {
  return SORT_COLUMNS.get(value) ?? (['displayName', 'givenName', 'surname', 'company', 'email', 'lastModified'].includes(value) ? (value as ContactSortField) : undefined);
}

/** A contact as an array of the requested columns (unknown columns answer null, like unset fields). */
export function toRow(json: ContactJson, columns: readonly number[]): Array<string | number | null> {
  return columns.map((column) => {
    const name = COLUMNS.get(column);
    return name === undefined ? null : json[name] ?? null;
  });
}
