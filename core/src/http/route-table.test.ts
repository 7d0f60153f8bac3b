import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpMethod } from '@keel/plugin-sdk';
import { createActionTable } from './action-table.js';
import { createRouteTable, type RouteEntry } from './route-table.js';

const entry = (owner: string, method: HttpMethod, path: string, tag = owner): RouteEntry => ({
  owner, method, path, handler: () => tag, bodyLimit: 1024,
});

describe('route table', () => {
  it('finds routes with params, answers wrong-method with the allowed ones', () => {
    const table = createRouteTable();
    table.add([entry('a', 'GET', '/items/:id'), entry('a', 'DELETE', '/items/:id')]);
    const found = table.lookup('GET', '/items/7');
    assert.equal(found.kind, 'found');
    assert.deepEqual(found.kind === 'found' && found.params, { id: '7' });
    assert.equal(table.lookup('HEAD', '/items/7').kind, 'found');
    assert.deepEqual(table.lookup('POST', '/items/7'), { kind: 'wrong-method', allowed: ['GET', 'DELETE', 'HEAD'] });
    assert.deepEqual(table.lookup('GET', '/nothing'), { kind: 'none' });
  });

  it('replaces a route of the same bundle, also when param names differ', () => {
    const table = createRouteTable();
    table.add([entry('a', 'GET', '/items/:id', 'one')]);
    table.add([entry('a', 'GET', '/items/:cid', 'two')]);
    const found = table.lookup('GET', '/items/7');
    assert.ok(found.kind === 'found');
    assert.equal(found.entry.handler({} as never, {} as never), 'two');
    assert.deepEqual(found.params, { cid: '7' });
  });

  it('refuses a route of another bundle, naming both, and adds none of its methods', () => {
    const table = createRouteTable();
    table.add([entry('a', 'GET', '/items/:id')]);
    assert.throws(() => table.add([entry('b', 'POST', '/items/:x'), entry('b', 'GET', '/items/:x')]), /bundle 'b'.*bundle 'a'/);
    assert.deepEqual(table.lookup('POST', '/items/1'), { kind: 'wrong-method', allowed: ['GET', 'HEAD'] });
  });

  it('drops every route of a removed bundle', () => {
    const table = createRouteTable();
    table.add([entry('a', 'GET', '/a'), entry('a', 'PUT', '/a')]);
    table.add([entry('b', 'GET', '/b')]);
    table.removeOwner('a');
    assert.deepEqual(table.lookup('GET', '/a'), { kind: 'none' });
    assert.equal(table.lookup('GET', '/b').kind, 'found');
    table.add([entry('c', 'GET', '/a')]);
    assert.equal(table.lookup('GET', '/a').kind, 'found');
  });

  it('a path with a trailing slash is replaced, removed and added again like any other (a restarted bundle)', () => {
    const table = createRouteTable();
    table.add([entry('a', 'GET', '/console/', 'one')]);
    table.add([entry('a', 'GET', '/console/', 'two')]);
    const found = table.lookup('GET', '/console/');
    assert.ok(found.kind === 'found');
    assert.equal(found.entry.handler({} as never, {} as never), 'two');
    assert.equal(table.lookup('GET', '/console').kind, 'found');
    assert.throws(() => table.add([entry('b', 'GET', '/console')]), /bundle 'b'.*bundle 'a'/);
    table.removeOwner('a');
    assert.deepEqual(table.lookup('GET', '/console/'), { kind: 'none' });
    table.add([entry('a', 'GET', '/console/', 'three')]);
    assert.equal(table.lookup('GET', '/console/').kind, 'found');
  });
});

describe('action table', () => {
  const action = (owner: string, module: string, name: string) => ({ owner, module, action: name, pattern: `${module}?action=${name}`, methods: ['GET'] as HttpMethod[], handler: () => owner, bodyLimit: 1 });

  it('replaces for the same bundle, refuses another, forgets a removed one', () => {
    const table = createActionTable();
    table.add(action('a', 'mail', 'all'));
    table.add(action('a', 'mail', 'all'));
    assert.throws(() => table.add(action('b', 'mail', 'all')), /registered by bundle 'a'; bundle 'b'/);
    table.add(action('b', 'mail', 'get'));
    table.removeOwner('a');
    assert.equal(table.lookup('mail', 'all'), undefined);
    assert.equal(table.lookup('mail', 'get')?.owner, 'b');
    table.removeOwner('b');
    assert.equal(table.hasModule('mail'), false);
  });
});
