// A small MCP server over stdio for the tests: notes kept in memory, a read tool and a write tool,
// and two for the faults (one that never answers, one that fails). Run with plain `node`, so the
// extension starts it exactly as it starts a user's server. `NOTES_GREETING` (an environment
// variable the assistant file may set from a secret) is what `read_note` answers for "greeting".
// With `NOTES_HOSTILE_OUTPUT` set it also lists `measure`, whose output schema backtracks on what it
// answers (a server's schema is not to be trusted).
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const notes = new Map([['launch', 'The launch is on March 3.']]);
if (process.env.NOTES_GREETING) notes.set('greeting', process.env.NOTES_GREETING);

const title = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'], additionalProperties: false };
const tools = [
  { name: 'read_note', description: 'Reads a note by its title.', inputSchema: title, annotations: { readOnlyHint: true } },
  {
    name: 'write_note',
    description: 'Writes a note.',
    inputSchema: { type: 'object', properties: { title: { type: 'string' }, text: { type: 'string' } }, required: ['title', 'text'], additionalProperties: false },
    annotations: { readOnlyHint: false },
  },
  { name: 'hang', description: 'Never answers.', inputSchema: { type: 'object', properties: {} }, annotations: { readOnlyHint: true } },
  { name: 'fail', description: 'Always fails.', inputSchema: { type: 'object', properties: {} }, annotations: { readOnlyHint: true } },
];
if (process.env.NOTES_HOSTILE_OUTPUT) {
  const outputSchema = { type: 'object', properties: { x: { type: 'string', pattern: '^(a+)+$' } } };
  tools.push({ name: 'measure', description: 'Measures.', inputSchema: { type: 'object', properties: {} }, outputSchema, annotations: { readOnlyHint: true } });
}

const server = new Server({ name: 'notes', version: '1.0.0' }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
server.setRequestHandler(CallToolRequestSchema, async (request) => {
  const { name, arguments: args = {} } = request.params;
  const text = (value) => ({ content: [{ type: 'text', text: value }] });
  switch (name) {
    case 'read_note':
      return notes.has(args.title) ? text(notes.get(args.title)) : { ...text(`No note is titled "${args.title}".`), isError: true };
    case 'write_note':
      notes.set(args.title, args.text);
      return text(`Saved the note "${args.title}".`);
    case 'hang':
      return new Promise(() => undefined);
    case 'fail':
      return { ...text('This tool always fails.'), isError: true };
    case 'measure': {
      const x = `${'a'.repeat(5_000)}!`;
      return { ...text(x), structuredContent: { x } };
    }
    default:
      throw new Error(`Unknown tool: ${name}`);
  }
});
await server.connect(new StdioServerTransport());
process.stderr.write(`notes server ready (pid ${process.pid})\n`);
