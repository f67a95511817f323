/**
 * The top-level rows of a tree view, kept so that a row's menu command can always be told which
 * row it came from. Pure (no `vscode`), so it runs in plain Node tests.
 *
 * Why: told that the whole view changed, VS Code's extension host forgets every row of it at once
 * (the handles its menu commands' arguments are turned back into rows through), tells the window,
 * and learns the rows again only once the window has asked for them and `getChildren` answered: a
 * round trip, long on a busy machine. A row's menu command arriving in between (a right-click's
 * Fork or Delete while a run that just ended refreshes the view) gets no row, and a command
 * without one acts on the open thread or asks which assistant. Told of the rows themselves, VS
 * Code redraws each in place and never forgets it. So the rows are read first; when they are the
 * same rows in the same order (most changes: a row's activity, title or mark), each row object
 * takes the new values in place and the view is told of those rows; only rows come, gone or moved
 * make the view read them all again.
 */
export class LoadedRows<T extends object> {
  private rows: T[] | undefined;
  private first: Promise<T[]> | undefined;
  /** Counts loads: only the latest one's rows are kept and announced. */
  private loads = 0;
  /** What each row showed when last announced (`shownAs`), by id. */
  private readonly shown = new Map<string, string>();

  /**
   * @param load reads the rows (it may throw: the view then keeps its rows, and `reload` rejects).
   * @param idOf what tells a row from the others (the tree item's id).
   * @param announce tells the view what changed: the rows redrawn in place, or undefined when
   *   the view must read its rows again (fires its `onDidChangeTreeData`).
   * @param shownAs what a row shows (its label, description, icon… as one string): a row showing
   *   the same as before is not redrawn. Every redraw of a view that has focus gives it the focus
   *   again, closing a quick pick a row's menu has just opened.
   */
  constructor(
    private readonly load: () => Promise<T[]>,
    private readonly idOf: (row: T) => string,
    private readonly announce: (changed: T[] | undefined) => void,
    private readonly shownAs: (row: T) => string,
  ) {}

  /** The rows as last loaded, at once; a promise only before the first load has answered. */
  get(): T[] | Promise<T[]> {
    if (this.rows) return this.rows;
    this.first ??= this.take(++this.loads).then(
      (taken) => taken?.rows ?? this.rows ?? [],
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
   * change (see the class). Resolves once done; rejects with `load`'s error (the rows shown stay
   * as they were).
   */
  async reload(): Promise<void> {
    const taken = await this.take(++this.loads);
    if (!taken) return;
    if (!taken.inPlace) return this.announce(undefined);
    if (taken.rows.length > 0) this.announce(taken.rows);
  }

  /**
   * Loads the rows of load number `load` and keeps them: into the rows kept already when they are
   * the same rows in the same order (`inPlace`; `rows` are then those that show something else).
   * Undefined when a later load has begun meanwhile.
   */
  private async take(load: number): Promise<{ rows: T[]; inPlace: boolean } | undefined> {
    const fresh = await this.load();
    if (load !== this.loads) return undefined;
    const kept = this.rows;
    if (kept && kept.length === fresh.length && kept.every((row, index) => this.idOf(row) === this.idOf(fresh[index]))) {
      const changed = kept.filter((row, index) => {
        takeValues(row, fresh[index]);
        return this.note(row);
      });
      return { rows: changed, inPlace: true };
    }
    // Copies: the rows are changed in place later, and `load` may hand out objects others hold.
    this.rows = fresh.map((row) => ({ ...row }));
    this.shown.clear();
    for (const row of this.rows) this.note(row);
    return { rows: this.rows, inPlace: false };
  }

  /** Records what `row` shows now; true when that is not what it showed before. */
  private note(row: T): boolean {
    const id = this.idOf(row);
    const now = this.shownAs(row);
    const changed = this.shown.get(id) !== now;
    this.shown.set(id, now);
    return changed;
  }
}

/** Gives `target` the own values of `source`, and drops those `source` has not. */
function takeValues<T extends object>(target: T, source: T): void {
  for (const key of Object.keys(target)) if (!(key in source)) delete (target as Record<string, unknown>)[key];
  Object.assign(target, source);
}
