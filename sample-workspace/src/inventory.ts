export interface Item {
  sku: string;
  name: string;
  quantity: number;
}

/** Items at or below this many units are reported as low on stock. */
export const LOW_STOCK_THRESHOLD = 5;

export function lowStock(items: Item[]): Item[] {
  return items.filter((item) => item.quantity <= LOW_STOCK_THRESHOLD);
}

export function restock(item: Item, amount: number): Item {
  if (amount <= 0) throw new RangeError('amount must be positive');
  return { ...item, quantity: item.quantity + amount };
}
