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
  /** The load begun last: what it kept, or undefined when a later one overtook it. */
  private newest: Promise<Taken<T> | undefined> | undefined;
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

  /**
   * The rows as last loaded, at once; a promise only before the first load has answered. A first
   * load a reload overtook answers with the rows of the last load: answering none showed the view
   * empty (its welcome, 'No assistants yet') and, the reload's announcement coming while the
   * window still waited for that answer, it was not asked again.
   */
  get(): T[] | Promise<T[]> {
    if (this.rows) return this.rows;
    this.first ??= this.latest(this.take(++this.loads)).catch((error: unknown) => {
      // The next ask tries again.
      this.first = undefined;
      throw error;
    });
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

  /** The rows `loading` keeps or, overtaken, those of the loads begun after it, once the last of them answered. */
  private async latest(loading: Promise<Taken<T> | undefined>): Promise<T[]> {
    let taken = await loading;
    while (!taken) {
      if (this.rows) return this.rows;
      taken = await this.newest;
    }
    return taken.rows;
  }

  /** Begins load number `load` (`read`), the newest from now on. */
  private take(load: number): Promise<Taken<T> | undefined> {
    const taking = this.read(load);
    this.newest = taking;
    return taking;
  }

  /**
   * Loads the rows of load number `load` and keeps them: into the rows kept already when they are
   * the same rows in the same order (`inPlace`; `rows` are then those that show something else).
   * Undefined when a later load has begun meanwhile.
   */
  private async read(load: number): Promise<Taken<T> | undefined> {
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

/** What a load kept: the rows, and whether they are the rows kept before, changed in place. */
interface Taken<T> {
  rows: T[];
  inPlace: boolean;
}

/** Gives `target` the own values of `source`, and drops those `source` has not. */
function takeValues<T extends object>(target: T, source: T): void {
  for (const key of Object.keys(target)) if (!(key in source)) delete (target as Record<string, unknown>)[key];
  Object.assign(target, source);
}
