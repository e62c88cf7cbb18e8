-- A lottery prize delivered to its winner leaves the stock (issue 12 × issue 13, "every gift
-- accounted for"; docs/decisions/2026-12-01-lottery-stock-and-reserves.md): a win set to
-- 已发放 posts a `prize_delivered` movement naming the win (on hand − 1), and a win set back
-- from 已发放 posts a `prize_delivery_void` (+ 1). Neither belongs to a plan or a device.
--
-- The ledger's CHECK constraints were created unnamed: they are found by table and replaced,
-- the same rules as SQLite's rebuilt table.
ALTER TABLE stock_ledger ADD COLUMN win_id text COLLATE "C" REFERENCES lottery_wins (id);
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
             WHERE conrelid = 'stock_ledger'::regclass AND contype = 'c'
    LOOP
        EXECUTE format('ALTER TABLE stock_ledger DROP CONSTRAINT %I', c.conname);
    END LOOP;
END $$;
ALTER TABLE stock_ledger
    ADD CONSTRAINT stock_ledger_kind CHECK (kind IN (
        'receipt', 'write_off', 'allocation', 'return',
        'grant', 'release', 'handout', 'handout_void',
        'prize_delivered', 'prize_delivery_void')),
    ADD CONSTRAINT stock_ledger_quantity CHECK (quantity > 0),
    ADD CONSTRAINT stock_ledger_plan_side CHECK (
        (kind IN ('receipt', 'write_off', 'prize_delivered', 'prize_delivery_void'))
        = (plan_id IS NULL)),
    ADD CONSTRAINT stock_ledger_device_side CHECK (
        (kind IN ('grant', 'release', 'handout', 'handout_void')) = (device_id IS NOT NULL)),
    ADD CONSTRAINT stock_ledger_void_names_handout CHECK (
        (kind = 'handout_void') <= (handout_id IS NOT NULL)),
    ADD CONSTRAINT stock_ledger_handout_only CHECK (
        kind IN ('handout', 'handout_void') OR handout_id IS NULL),
    ADD CONSTRAINT stock_ledger_win_side CHECK (
        (kind IN ('prize_delivered', 'prize_delivery_void')) = (win_id IS NOT NULL)),
    ADD CONSTRAINT stock_ledger_one_prize CHECK (win_id IS NULL OR quantity = 1);
CREATE INDEX stock_ledger_win ON stock_ledger (win_id) WHERE win_id IS NOT NULL;

-- Wins delivered before this migration left their prize on hand: each gets its movement now,
-- dated when it was delivered, with the win's id as the row's (one per win, and a UUID as
-- every row's id is). A voided draw's delivered wins too: the prize left all the same.
INSERT INTO stock_ledger (id, item_id, kind, quantity, win_id, note, actor, created_at)
SELECT w.id, p.item_id, 'prize_delivered', 1, w.id, 'lottery entry ' || w.entry::text,
    'system:migration', w.state_changed_at
FROM lottery_wins w JOIN lottery_pools p ON p.id = w.pool_id
WHERE w.state = 'delivered'
ORDER BY w.state_changed_at, w.id;
