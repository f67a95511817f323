import type { UploadIndex } from '../../src/core/attachments/uploads';

/**
 * An upload index held in memory (the extension keeps it in global state): content key to file id,
 * per provider. `entries` is open to tests, keyed `<provider>/<key>`.
 */
export function memoryUploadIndex(): UploadIndex & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    get: (provider, key) => entries.get(`${provider}/${key}`),
    set: async (provider, key, id) => void entries.set(`${provider}/${key}`, id),
    forget: async (provider, id) => {
      for (const [key, value] of entries) if (key.startsWith(`${provider}/`) && value === id) entries.delete(key);
    },
  };
}
