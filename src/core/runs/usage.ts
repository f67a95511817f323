import type { Usage } from '../../common/model';

/** Adds token counts; `undefined` means "nothing reported yet", not zero. */
export function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!a) {
    return b && { ...b };
  }
  if (!b) {
    return { ...a };
  }
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    ...(a.cachedTokens !== undefined || b.cachedTokens !== undefined ? { cachedTokens: (a.cachedTokens ?? 0) + (b.cachedTokens ?? 0) } : {}),
  };
}

/** US dollars per million tokens; `cachedInput` defaults to `input`. */
export interface ModelPrice {
  input: number;
  cachedInput?: number;
  output: number;
}

/**
 * OpenAI's list prices (openai.com/api/pricing) per million tokens, in US dollars, for cost
 * estimates; the `assistants.prices` setting extends or overrides them.
 */
export const BUILT_IN_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  'o3': { input: 2, cachedInput: 0.5, output: 8 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
};

/** The price of `model`: an exact entry, else the longest entry its name starts with (dated snapshots such as `gpt-4.1-2025-04-14`). */
export function priceFor(model: string | undefined, prices: Readonly<Record<string, ModelPrice>>): ModelPrice | undefined {
  if (!model) return undefined;
  if (prices[model]) return prices[model];
  const prefix = Object.keys(prices)
    .filter((key) => model.startsWith(`${key}-`))
    .sort((a, b) => b.length - a.length)[0];
  return prefix ? prices[prefix] : undefined;
}

/** US dollars for `usage` at `price` (per million tokens); cached input at its own price when given. */
export function costOf(usage: Usage, price: ModelPrice): number {
  const cached = Math.min(usage.cachedTokens ?? 0, usage.promptTokens);
  return ((usage.promptTokens - cached) * price.input + cached * (price.cachedInput ?? price.input) + usage.completionTokens * price.output) / 1_000_000;
}
