/** The session screen's gift buttons, from the device's grants and the session's counters. */
import type { Item } from "../api/generated/station/Item";
import type { ItemGrant } from "../api/generated/station/ItemGrant";
import type { SessionSummary } from "../api/generated/station/SessionSummary";

/** One big button: the item, what the grant still allows, and what this session handed out. */
export type GiftRow = { item: Item; available: number; granted: number; handedOutHere: number };

/**
 * One row per item the device holds a grant for, then any item handed out in this session
 * without one (recorded beyond the grant), so that a tap on it is still possible. Gifts only:
 * the order is the store's (kind, then name).
 */
export function giftRows(items: readonly Item[], grants: readonly ItemGrant[], summary: SessionSummary): GiftRow[] {
  const handed = new Map(summary.handouts.map((h) => [h.item_id, h.quantity]));
  const rows: GiftRow[] = grants.map((g) => ({
    item: g.item,
    available: g.available,
    granted: g.position.granted - g.position.released,
    handedOutHere: handed.get(g.item.id) ?? 0,
  }));
  for (const h of summary.handouts) {
    if (rows.some((r) => r.item.id === h.item_id)) continue;
    const item = items.find((i) => i.id === h.item_id);
    if (item !== undefined) rows.push({ item, available: 0, granted: 0, handedOutHere: h.quantity });
  }
  return rows;
}
