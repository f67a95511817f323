import { createHmac, timingSafeEqual } from 'node:crypto';

/** The attribute a vector store file added by this extension carries: its mark (see `KnowledgeMark`). */
export const MARK_ATTRIBUTE = 'assistants_mark';

/** Hex characters of the HMAC kept in the attribute (128 bits). */
const MARK_CHARS = 32;

/** What a mark vouches for: this file, in this store, from this workspace path, with these bytes. */
export interface MarkedFields {
  vectorStoreId: string;
  fileId: string;
  path: string;
  sha256: string;
}

/**
 * Tells the files this extension added to a vector store from those anyone else put there. Attributes
 * are text anyone with access to the store can write (a vector store named by a repository's
 * assistant file may hold files whose `workspace_path` names `.env`), so a mark is an HMAC of the
 * store, the file id, the path and the hash under a secret derived from the API key: only a holder
 * of the key can make one, a mark copied to another store or file does not verify, and the same key
 * on another machine recognises it. Sync and Add replace, remove and delete only marked files.
 */
export class KnowledgeMark {
  constructor(private readonly secret: Uint8Array) {}

  /** The secret a key's marks are made with: the key itself never goes into an attribute. */
  static fromApiKey(apiKey: string): KnowledgeMark {
    return new KnowledgeMark(createHmac('sha256', apiKey).update('assistants knowledge mark v1').digest());
  }

  /** The attribute value for `fields` (32 hex characters). */
  sign(fields: MarkedFields): string {
    return this.digest(fields);
  }

  /** Whether `mark` was made by `sign` for exactly these fields (compared in constant time). */
  verify(fields: MarkedFields, mark: unknown): boolean {
    if (typeof mark !== 'string' || mark.length !== MARK_CHARS) return false;
    return timingSafeEqual(Buffer.from(mark), Buffer.from(this.digest(fields)));
  }

  private digest({ vectorStoreId, fileId, path, sha256 }: MarkedFields): string {
    // NUL cannot occur in any field (ids, a path the confinement admitted, a hex hash): no two field sets read alike.
    return createHmac('sha256', this.secret).update([vectorStoreId, fileId, path, sha256].join('\u0000')).digest('hex').slice(0, MARK_CHARS);
  }
}
