import * as vscode from 'vscode';
import type { ModelPrice } from '../../common/protocol';
import { BUILT_IN_PRICES } from '../../core/runs/usage';
import { DEFAULT_DENY } from '../../core/workspace/confinement';
import type { ApprovalPolicy } from '../../core/functions/registry';
import type { BackendKind, ToolDefinition } from '../../common/model';
import { DEFAULT_BASE_URL } from '../../core/provider';

/** The `assistants.*` settings, read in one place. */
export interface AssistantsSettings {
  protocol: BackendKind;
  provider: 'openai' | 'azure';
  /** Resolved: the setting, else OPENAI_BASE_URL, else OpenAI's. */
  baseUrl: string;
  azureApiVersion: string;
  model: string;
  instructions: string;
  tools: { fileSearch: boolean; codeInterpreter: boolean; workspaceFunctions: boolean };
  streaming: boolean;
  /** Seconds of silence after which a stream is given up for polling. */
  streamIdleTimeoutSeconds: number;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): AssistantsSettings {
  const config = vscode.workspace.getConfiguration('assistants');
  const baseUrl = config.get<string>('baseUrl', '').trim() || env.OPENAI_BASE_URL?.trim() || DEFAULT_BASE_URL;
  return {
    protocol: config.get<BackendKind>('protocol', 'responses'),
    provider: config.get<'openai' | 'azure'>('provider', 'openai'),
    baseUrl: baseUrl.replace(/\/+$/, ''),
    azureApiVersion: config.get<string>('azureApiVersion', '2025-04-01-preview'),
    model: config.get<string>('model', 'gpt-4.1'),
    instructions: config.get<string>('instructions', ''),
    tools: {
      fileSearch: config.get<boolean>('tools.fileSearch', false),
      codeInterpreter: config.get<boolean>('tools.codeInterpreter', false),
      workspaceFunctions: config.get<boolean>('tools.workspaceFunctions', true),
    },
    streaming: config.get<boolean>('streaming', true),
    streamIdleTimeoutSeconds: Math.max(5, config.get<number>('streamIdleTimeoutSeconds', 30)),
  };
}

/** How workspace functions may be used; user (machine) settings only, so a repository cannot loosen them. */
export interface FunctionSettings {
  /**
   * Globs kept from the assistant (`assistants.functions.deny`), as written: an entry that is no
   * string, or a value that is no list, is kept, for the confinement to refuse every path and say
   * so (dropping it would read files the user meant to keep out).
   */
  deny: readonly unknown[];
  /** Per function name: `allow`, `ask` or `never` (`assistants.functions.approval`). */
  approval: Record<string, ApprovalPolicy>;
}

const POLICIES: readonly string[] = ['allow', 'ask', 'never'];

export function readFunctionSettings(): FunctionSettings {
  const config = vscode.workspace.getConfiguration('assistants.functions');
  const deny = config.get<unknown>('deny');
  const approval = config.get<Record<string, unknown>>('approval', {});
  return {
    deny: deny === undefined || deny === null ? DEFAULT_DENY : Array.isArray(deny) ? deny : [deny],
    approval: Object.fromEntries(Object.entries(approval).filter(([, policy]) => POLICIES.includes(policy as string))) as Record<string, ApprovalPolicy>,
  };
}

/** The built-in tools the settings switch on (workspace functions are added by the host). */
export function settingsTools(settings: AssistantsSettings): ToolDefinition[] {
  const tools: ToolDefinition[] = [];
  if (settings.tools.fileSearch) tools.push({ type: 'file_search' });
  if (settings.tools.codeInterpreter) tools.push({ type: 'code_interpreter' });
  return tools;
}

/** A short name for where requests go, shown in the chat header. */
export function providerLabel(settings: AssistantsSettings, mock: boolean): string {
  if (mock) return 'Fake server (offline)';
  if (settings.provider === 'azure') return 'Azure OpenAI';
  if (settings.baseUrl === DEFAULT_BASE_URL) return 'OpenAI';
  try {
    return new URL(settings.baseUrl).host;
  } catch {
    return settings.baseUrl;
  }
}

/**
 * Prices per million tokens (US dollars) for cost estimates: a small built-in table of OpenAI's
 * list prices (openai.com/api/pricing), extended or overridden by the `assistants.prices` setting.
 * Entries that are not numbers are left out.
 */
export function readPrices(): Record<string, ModelPrice> {
  const configured = vscode.workspace.getConfiguration('assistants').get<Record<string, unknown>>('prices', {});
  const prices: Record<string, ModelPrice> = { ...BUILT_IN_PRICES };
  for (const [model, value] of Object.entries(configured ?? {})) {
    const price = value as Partial<Record<keyof ModelPrice, unknown>>;
    if (typeof price?.input !== 'number' || typeof price.output !== 'number') continue;
    prices[model] = { input: price.input, output: price.output, ...(typeof price.cachedInput === 'number' ? { cachedInput: price.cachedInput } : {}) };
  }
  return prices;
}

