import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Assistant as WireAssistant } from 'openai/resources/beta/assistants';
import { fromWireAssistant } from '../../../../src/backends/assistantsV2/mapAssistant';
import { parseAssistantFile } from '../../../../src/core/assistants/assistantFile';
import { FileAssistantStore } from '../../../../src/core/assistants/assistantStore';
import { listedName, oneLine, unshowableIn } from '../../../../src/common/showable';
import { nodeFileSystem } from '../../../../src/core/workspace/fileSystem';

/** Names a repository or a server may give: each would split a line or turn text around where it is shown. */
const HOSTILE_NAMES: Array<[string, string]> = [
  ['Good\u202Egnp.exe', 'U+202E'],
  ['two\nlines', 'U+000A'],
  ['[info] ok\r[warn] forged', 'U+000D'],
  ['bell\u0007', 'U+0007'],
  ['\u2067isolate\u2069', 'U+2067'],
  ['mark\u200F', 'U+200F'],
  ['c1\u0085next line', 'U+0085'],
  ['line\u2028separator', 'U+2028'],
  ['paragraph\u2029separator', 'U+2029'],
];
const FINE_NAMES = ['Code reviewer', 'مساعد البرمجة', 'עוזר', '代码助手', 'Dev 👩‍💻 helper', 'Ünïcödé – “quotes”'];

const fileNamed = (name: string) => JSON.stringify({ version: 1, name, model: 'gpt-4.1' });

describe('names are shown on one line as written', () => {
  for (const [name, code] of HOSTILE_NAMES) {
    it(`an assistant file named ${JSON.stringify(name)} is refused at its name, saying which character`, () => {
      const { file, errors } = parseAssistantFile(fileNamed(name));
      assert.equal(file, undefined);
      assert.deepEqual(errors, [{ path: '/name', message: `holds ${code}, a line break, control or text-direction character; a name is shown on one line as written, so it may hold none` }]);
    });
  }

  it('names in any script, with emoji and their joiners, are kept as written', () => {
    for (const name of FINE_NAMES) assert.equal(parseAssistantFile(fileNamed(name)).file?.name, name);
  });

  it('the store lists such a file by its name on one line, beside the others', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'names-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.assistant.json'), fileNamed('Good\u202Egnp.exe\n[info] approved'));
      fs.writeFileSync(path.join(dir, 'b.assistant.json'), fileNamed('Plain'));
      const entries = await new FileAssistantStore(nodeFileSystem, dir, 'user').list();
      assert.deepEqual(entries.map((e) => [e.name, e.assistant !== undefined]), [['Good gnp.exe [info] approved', false], ['Plain', true]]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a server assistant's name is shown on one line", () => {
    for (const [name] of HOSTILE_NAMES) {
      const wire = { id: 'asst_1', object: 'assistant', name, model: 'gpt-4.1', tools: [], created_at: 0, description: null, instructions: null, metadata: {} } as WireAssistant;
      const shown = fromWireAssistant(wire).name;
      assert.equal(shown, oneLine(name));
      // eslint-disable-next-line no-control-regex -- the characters that must be gone
      assert.doesNotMatch(shown, /[\u0000-\u001f\u0085\u200f\u202e\u2067\u2069]/);
    }
  });
});

describe('a listed name holds no character that would break its line or turn it around', () => {
  for (const [name] of HOSTILE_NAMES) {
    it(`lists ${JSON.stringify(name)} as a JSON string with that character escaped, which reads back whole`, () => {
      const listed = listedName(name);
      assert.equal(unshowableIn(listed), undefined);
      assert.equal(JSON.parse(listed), name);
    });
  }
  it('lists a plain name as written', () => {
    for (const name of FINE_NAMES) assert.equal(listedName(name), name);
  });
});
