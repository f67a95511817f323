import * as assert from 'node:assert/strict';
import type { AssistantFile } from '../../../../src/core/assistants/assistantFile';
import { mergeAssistantFiles, mergeOrConflict } from '../../../../src/core/assistants/assistantMerge';
import { AssistantConflictError } from '../../../../src/core/errors';

const BASE: AssistantFile = {
  version: 1,
  name: 'Helper',
  model: 'gpt-4.1',
  instructions: 'Be brief.',
  tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }],
  metadata: { team: 'docs' },
};

const WHERE = { assistantId: 'workspace:helper' };

/** BASE with `change` applied (a deep copy). */
const edit = (change: (file: AssistantFile) => void): AssistantFile => {
  const file = structuredClone(BASE);
  change(file);
  return file;
};

describe('mergeAssistantFiles: two edits of one assistant file, field by field', () => {
  const clean: { title: string; mine: AssistantFile; theirs: AssistantFile; expect: (file: AssistantFile) => void }[] = [
    {
      title: 'instructions here, model there',
      mine: edit((f) => (f.instructions = 'Be thorough.')),
      theirs: edit((f) => (f.model = 'gpt-4o')),
      expect: (f) => assert.deepEqual([f.instructions, f.model], ['Be thorough.', 'gpt-4o']),
    },
    {
      title: 'a vector store and the file_search tool there, a function\'s schema here',
      mine: edit((f) => {
        if (f.tools?.[0]?.type === 'function') f.tools[0].function.parameters = { type: 'object', properties: { q: { type: 'string' } } };
      }),
      theirs: edit((f) => {
        f.tools?.push({ type: 'file_search' });
        f.tool_resources = { file_search: { vector_store_ids: ['vs_1'] } };
      }),
      expect: (f) => {
        assert.deepEqual(f.tools?.map((t) => t.type), ['function', 'file_search']);
        assert.deepEqual(f.tools?.[0]?.type === 'function' && f.tools[0].function.parameters, { type: 'object', properties: { q: { type: 'string' } } });
        assert.deepEqual(f.tool_resources, { file_search: { vector_store_ids: ['vs_1'] } });
      },
    },
    {
      title: 'a metadata key each, and a $schema written by hand there',
      mine: edit((f) => {
        f.metadata = { team: 'docs', owner: 'ana' };
      }),
      theirs: edit((f) => {
        f.$schema = '../schemas/assistant.schema.json';
        f.metadata = { team: 'docs', reviewed: 'yes' };
      }),
      expect: (f) => {
        assert.deepEqual(f.metadata, { team: 'docs', owner: 'ana', reviewed: 'yes' });
        assert.equal(f.$schema, '../schemas/assistant.schema.json');
      },
    },
    {
      title: 'an MCP server added here, another there',
      mine: edit((f) => f.tools?.push({ type: 'mcp', server_label: 'github', server_url: 'https://api.github.test/mcp/' })),
      theirs: edit((f) => f.tools?.push({ type: 'mcp', server_label: 'notes', 'x-vscode': { transport: 'stdio', command: 'node' } })),
      expect: (f) => assert.deepEqual(f.tools?.flatMap((t) => (t.type === 'mcp' ? [t.server_label] : [])).sort(), ['github', 'notes']),
    },
    {
      title: 'the same new value on both sides, and a function removed there',
      mine: edit((f) => (f.name = 'Helper 2')),
      theirs: edit((f) => {
        f.name = 'Helper 2';
        f.tools = [];
      }),
      expect: (f) => assert.deepEqual([f.name, f.tools], ['Helper 2', []]),
    },
  ];
  for (const { title, mine, theirs, expect } of clean) {
    it(`merges cleanly: ${title}, whichever side is mine`, () => {
      for (const [a, b] of [[mine, theirs], [theirs, mine]]) {
        const merged = mergeAssistantFiles(BASE, a, b);
        assert.deepEqual(merged.conflicts, []);
        expect(merged.file);
        assert.doesNotThrow(() => mergeOrConflict(BASE, a, b, WHERE));
      }
    });
  }

  const conflicting: { title: string; mine: AssistantFile; theirs: AssistantFile; fields: string[] }[] = [
    { title: 'instructions', mine: edit((f) => (f.instructions = 'Be thorough.')), theirs: edit((f) => (f.instructions = 'Be funny.')), fields: ['instructions'] },
    {
      title: 'two different vector stores',
      mine: edit((f) => (f.tool_resources = { file_search: { vector_store_ids: ['vs_mine'] } })),
      theirs: edit((f) => (f.tool_resources = { file_search: { vector_store_ids: ['vs_theirs'] } })),
      fields: ['tool_resources.file_search'],
    },
    {
      title: 'one function edited here and removed there, and one metadata key',
      mine: edit((f) => {
        if (f.tools?.[0]?.type === 'function') f.tools[0].function.description = 'Looks things up';
        f.metadata = { team: 'web' };
      }),
      theirs: edit((f) => {
        f.tools = [];
        f.metadata = { team: 'api' };
      }),
      fields: ['tools.function:lookup', 'metadata.team'],
    },
  ];
  for (const { title, mine, theirs, fields } of conflicting) {
    it(`reports a conflict when both changed ${title}, and keeps this side's value in the proposal`, () => {
      const merged = mergeAssistantFiles(BASE, mine, theirs);
      assert.deepEqual(merged.conflicts, fields);
      assert.throws(() => mergeOrConflict(BASE, mine, theirs, WHERE), (error: unknown) => {
        assert.ok(error instanceof AssistantConflictError);
        assert.equal(error.kind, 'conflict');
        assert.deepEqual(error.fields, fields);
        assert.equal(error.where.assistantId, 'workspace:helper');
        assert.deepEqual(JSON.parse(error.current), theirs);
        assert.deepEqual(JSON.parse(error.proposed), merged.file);
        assert.match(error.message, new RegExp(`changed elsewhere meanwhile \\(${fields.join(', ').replace(/[.:]/g, '\\$&')}\\)`));
        return true;
      });
    });
  }

  it('refuses a merge that is not a valid file though each side is: metadata keys past 16, tools past 128', () => {
    const keys = (prefix: string) => Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`${prefix}${i}`, 'x']));
    const cases: [AssistantFile, AssistantFile, string][] = [
      [edit((f) => (f.metadata = { team: 'docs', ...keys('mine') })), edit((f) => (f.metadata = { team: 'docs', ...keys('theirs') })), 'metadata'],
      [edit((f) => (f.tools = [...(f.tools ?? []), ...Array.from({ length: 64 }, (_, i) => ({ type: 'function' as const, function: { name: `mine_${i}` } }))])),
        edit((f) => (f.tools = [...(f.tools ?? []), ...Array.from({ length: 64 }, (_, i) => ({ type: 'function' as const, function: { name: `theirs_${i}` } }))])), 'tools'],
    ];
    for (const [mine, theirs, field] of cases) {
      assert.deepEqual(mergeAssistantFiles(BASE, mine, theirs).conflicts, [], 'no field was changed by both');
      assert.throws(() => mergeOrConflict(BASE, mine, theirs, WHERE), (error: unknown) => error instanceof AssistantConflictError && error.fields.includes(field));
    }
  });
});

describe('mergeAssistantFiles: keys a file may hold that name what objects are made of', () => {
  it('a metadata or tool_resources key named __proto__ (valid JSON, kept by the parse) is kept, not lost to an assignment', () => {
    const theirs = JSON.parse('{"version":1,"name":"Helper","model":"gpt-4.1","tools":[],"metadata":{"team":"docs","__proto__":"kept","constructor":"too"},"tool_resources":{"__proto__":{"x":1}}}') as AssistantFile;
    const base: AssistantFile = { version: 1, name: 'Helper', model: 'gpt-4.1', tools: [], metadata: { team: 'docs' } };
    const { file, conflicts } = mergeAssistantFiles(base, { ...base, instructions: 'Be brief.' }, theirs);
    assert.deepEqual(conflicts, []);
    const written = JSON.parse(JSON.stringify(file)) as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(written.metadata), ['team', '__proto__', 'constructor']);
    assert.equal(written.metadata.__proto__, 'kept');
    assert.deepEqual(Object.getOwnPropertyDescriptor(written.tool_resources, '__proto__')?.value, { x: 1 });
    assert.equal(Object.getPrototypeOf(file.metadata), Object.prototype, 'no object took another prototype');
  });
});
