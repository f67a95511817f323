import type { AssistantDraft } from '../../common/model';

/** A starting point offered by "Create Assistant from Template". */
export interface AssistantTemplate {
  label: string;
  detail: string;
  draft: (model: string) => AssistantDraft;
}

/** Templates in the spirit of the Assistants Playground's examples; the model is the user's default. */
export const ASSISTANT_TEMPLATES: readonly AssistantTemplate[] = [
  {
    label: 'Code reviewer',
    detail: 'Reviews code for bugs, unclear names and missing tests; reads workspace files.',
    draft: (model) => ({
      name: 'Code reviewer',
      description: 'Reviews code in this workspace.',
      model,
      instructions: 'You review code. Point out bugs first, then unclear names and missing tests. Quote the lines you mean. Be brief.',
      tools: [],
      temperature: 0.2,
    }),
  },
  {
    label: 'Data analyst',
    detail: 'Answers questions about data with the code interpreter, and draws charts.',
    draft: (model) => ({
      name: 'Data analyst',
      description: 'Analyses data with Python.',
      model,
      instructions: 'You are a data analyst. Write and run Python to answer; show a chart when it helps. Explain results in plain words.',
      tools: [{ type: 'code_interpreter' }],
    }),
  },
  {
    label: 'Documentation Q&A',
    detail: 'Answers from your documents with file search and cites them.',
    draft: (model) => ({
      name: 'Documentation Q&A',
      description: 'Answers from the attached documents.',
      model,
      instructions: 'Answer only from the documents file search finds, and cite them. Say so when they do not answer the question.',
      tools: [{ type: 'file_search', maxNumResults: 10 }],
    }),
  },
  {
    label: 'JSON extractor',
    detail: 'Turns free text into JSON that follows a schema (structured output).',
    draft: (model) => ({
      name: 'JSON extractor',
      description: 'Extracts a title and tags from text.',
      model,
      instructions: 'Extract a short title and up to five tags from the user\'s text.',
      tools: [],
      responseFormat: {
        type: 'json_schema',
        name: 'extraction',
        strict: true,
        schema: {
          type: 'object',
          properties: { title: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
          required: ['title', 'tags'],
          additionalProperties: false,
        },
      },
    }),
  },
];
