import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { schema } from '../src/server/index.js';

const { object, string, integer, optional, nullable, array, literal, formatIssues } = schema;

const join = object({
  room: string(),
  seats: optional(integer()),
  role: literal('viewer', 'presenter'),
  tags: array(string(), { maxLength: 2 }),
  nickname: optional(nullable(string())),
});

async function issuesOf(value: unknown): Promise<string> {
  const result = await join['~standard'].validate(value);
  assert.ok(result.issues, 'expected the value to be refused');
  return formatIssues(result.issues);
}

describe('schema builders', () => {
  test('accept a valid payload and keep only the declared properties', async () => {
    const result = await join['~standard'].validate({
      room: 'lobby',
      role: 'viewer',
      tags: ['a'],
      nickname: null,
      admin: true,
    });
    assert.deepEqual(result, {
      value: { room: 'lobby', role: 'viewer', tags: ['a'], nickname: null },
    });
  });

  test('name each offending property in the issues', async () => {
    assert.equal(
      await issuesOf({ room: 7, seats: 1.5, role: 'admin', tags: ['a', 3] }),
      'room: expected a string, got number; seats: expected an integer, got number; ' +
        'role: expected one of "viewer", "presenter"; tags.1: expected a string, got number',
    );
  });

  test('refuse non-objects, missing properties and oversized arrays', async () => {
    assert.equal(await issuesOf(null), 'expected an object, got null');
    assert.equal(await issuesOf([]), 'expected an object, got an array');
    assert.match(
      await issuesOf({ role: 'viewer', tags: [] }),
      /^room: expected a string, got undefined$/,
    );
    assert.match(
      await issuesOf({ room: 'r', role: 'viewer', tags: ['a', 'b', 'c'] }),
      /tags: expected at most 2 items/,
    );
  });

  test('ignore properties inherited from the prototype', async () => {
    const inherited = Object.create({ room: 'from the prototype' }) as object;
    Object.assign(inherited, { role: 'viewer', tags: [] });
    assert.match(await issuesOf(inherited), /^room: expected a string/);
  });
});
