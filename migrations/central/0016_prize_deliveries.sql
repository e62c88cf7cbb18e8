-- A lottery prize delivered to its winner leaves the stock (issue 12 × issue 13, "every gift
-- accounted for"; docs/decisions/2026-12-01-lottery-stock-and-reserves.md): a win set to
-- 已发放 posts a `prize_delivered` movement naming the win (on hand − 1), and a win set back
-- from 已发放 posts a `prize_delivery_void` (+ 1). Neither belongs to a plan or a device.
--
-- SQLite cannot change a CHECK constraint: the ledger is rebuilt, every row kept with its
-- seq (AUTOINCREMENT carries on from the highest), its indexes made again.
CREATE TABLE stock_ledger_rebuilt (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    item_id    TEXT NOT NULL REFERENCES items (id),
    kind       TEXT NOT NULL CHECK (kind IN (
        'receipt', 'write_off', 'allocation', 'return',
        'grant', 'release', 'handout', 'handout_void',
        'prize_delivered', 'prize_delivery_void')),
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    plan_id    TEXT REFERENCES plans (id),
    device_id  TEXT REFERENCES devices (id),
    handout_id TEXT,
    win_id     TEXT REFERENCES lottery_wins (id),
    note       TEXT,
    actor      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK ((kind IN ('receipt', 'write_off', 'prize_delivered', 'prize_delivery_void'))
           = (plan_id IS NULL)),
    CHECK ((kind IN ('grant', 'release', 'handout', 'handout_void')) = (device_id IS NOT NULL)),
    -- A void names its handout; handouts synced in one push post one row per plan, item and
    -- device for the batch (the handouts table has each one), so they may name none.
    CHECK ((kind = 'handout_void') <= (handout_id IS NOT NULL)),
    CHECK (kind IN ('handout', 'handout_void') OR handout_id IS NULL),
    -- One prize per win, one row per delivery or its void.
    CHECK ((kind IN ('prize_delivered', 'prize_delivery_void')) = (win_id IS NOT NULL)),
    CHECK (win_id IS NULL OR quantity = 1)
);
INSERT INTO stock_ledger_rebuilt (seq, id, item_id, kind, quantity, plan_id, device_id,
    handout_id, note, actor, created_at)
SELECT seq, id, item_id, kind, quantity, plan_id, device_id, handout_id, note, actor,
    created_at
FROM stock_ledger ORDER BY seq;
DROP TABLE stock_ledger;
ALTER TABLE stock_ledger_rebuilt RENAME TO stock_ledger;
CREATE INDEX stock_ledger_item ON stock_ledger (item_id, kind);
CREATE INDEX stock_ledger_plan ON stock_ledger (plan_id, item_id, device_id);
CREATE INDEX stock_ledger_plan_allocation ON stock_ledger (plan_id, item_id)
    WHERE kind IN ('allocation', 'return');
CREATE INDEX stock_ledger_win ON stock_ledger (win_id) WHERE win_id IS NOT NULL;

-- Wins delivered before this migration left their prize on hand: each gets its movement now,
-- dated when it was delivered, with the win's id as the row's (one per win, and a UUID as
-- every row's id is). A voided draw's delivered wins too: the prize left all the same.
INSERT INTO stock_ledger (id, item_id, kind, quantity, win_id, note, actor, created_at)
SELECT w.id, p.item_id, 'prize_delivered', 1, w.id, 'lottery entry ' || w.entry,
    'system:migration', w.state_changed_at
FROM lottery_wins w JOIN lottery_pools p ON p.id = w.pool_id
WHERE w.state = 'delivered'
ORDER BY w.state_changed_at, w.id;
