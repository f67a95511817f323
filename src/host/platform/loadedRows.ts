/**
 * The top-level rows of a tree view, loaded before the view is told they changed, so that its
 * `getChildren` answers with an array at once, not a promise. Pure (no `vscode`), so it runs in
 * plain Node tests.
 *
 * Why: told of a change, VS Code's extension host forgets every row of the view (the handles its
 * menu commands' arguments are turned back into rows through) and asks `getChildren`, learning
 * the rows again only once that answers. A row's menu command arriving in between (a right-click's
 * Fork or Delete while a run that just ended refreshes the view) gets no row, and a command without
 * one acts on the open thread or the active assistant instead. An answer given at once is taken in
 * before any other message from the window is handled.
 */
export class LoadedRows<T> {
  private rows: T[] | undefined;
  private first: Promise<T[]> | undefined;
  /** Counts loads: only the latest one's rows are kept and announced. */
  private loads = 0;

  /**
   * @param load reads the rows (it may throw: the view then keeps its rows, and `reload` rejects).
   * @param announce tells the view its rows changed (fires its `onDidChangeTreeData`).
   */
  constructor(
    private readonly load: () => Promise<T[]>,
    private readonly announce: () => void,
  ) {}

  /** The rows as last loaded, at once; a promise only before the first load has answered. */
  get(): T[] | Promise<T[]> {
    if (this.rows) return this.rows;
    this.first ??= this.take(++this.loads).then(
      (rows) => rows ?? this.rows ?? [],
      (error: unknown) => {
        // The next ask tries again.
        this.first = undefined;
        throw error;
      },
    );
    return this.first;
  }

  /**
   * Reads the rows again and, unless a later reload overtook it, keeps them and then announces the
   * change. Resolves once done; rejects with `load`'s error (the rows shown stay as they were).
   */
  async reload(): Promise<void> {
    if ((await this.take(++this.loads)) !== undefined) this.announce();
  }

  /** Loads and keeps the rows of load number `load`; undefined when a later load has begun meanwhile. */
  private async take(load: number): Promise<T[] | undefined> {
    const rows = await this.load();
    if (load !== this.loads) return undefined;
    this.rows = rows;
    return rows;
  }
}
