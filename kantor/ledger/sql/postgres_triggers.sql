-- MON-4 enforced by PostgreSQL itself, not only by Kantor's code.
-- Legs are inserted a whole transaction per statement (bulk insert); after
-- every INSERT statement each touched ledger transaction must balance per
-- currency, legs must be in their account's currency, and no leg may be
-- added to a transaction that already had legs. Legs and transactions are
-- immutable: corrections are new transactions.

CREATE OR REPLACE FUNCTION ledger_check_new_legs() RETURNS trigger AS $$
DECLARE
    bad record;
    touched uuid[];
BEGIN
    -- = ANY(ARRAY(...)) makes the planner look the transactions up by index;
    -- an IN (subquery) semi-join scanned every leg, growing with the ledger.
    touched := ARRAY(SELECT DISTINCT transaction_id FROM new_legs);
    SELECT l.transaction_id, l.currency, SUM(l.amount_minor) AS total INTO bad
      FROM ledger_leg l
     WHERE l.transaction_id = ANY (touched)
     GROUP BY l.transaction_id, l.currency
    HAVING SUM(l.amount_minor) <> 0
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger transaction % does not balance in %: %',
            bad.transaction_id, bad.currency, bad.total
            USING ERRCODE = 'check_violation';
    END IF;

    PERFORM 1 FROM new_legs n JOIN ledger_account a ON a.id = n.account_id
     WHERE a.currency <> n.currency LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'a leg is not in its account''s currency'
            USING ERRCODE = 'check_violation';
    END IF;

    IF (SELECT count(*) FROM ledger_leg l WHERE l.transaction_id = ANY (touched))
       <> (SELECT count(*) FROM new_legs) THEN
        RAISE EXCEPTION 'legs cannot be added to a posted transaction'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
-- PL/pgSQL keeps a backend's plan of each query above. Planned while the
-- ledger was small or never analysed, that plan scanned every leg, and a
-- long-lived connection (a matcher's, a web worker's) kept scanning on each
-- insert as the ledger grew. With sequential scans off the legs are always
-- found through the transaction_id index, whatever the statistics say.
SET enable_seqscan = off;

DROP TRIGGER IF EXISTS ledger_leg_balanced ON ledger_leg;
CREATE TRIGGER ledger_leg_balanced
    AFTER INSERT ON ledger_leg
    REFERENCING NEW TABLE AS new_legs
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_new_legs();

CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are immutable: post a correcting transaction', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS ledger_leg_immutable ON ledger_leg;
CREATE TRIGGER ledger_leg_immutable
    BEFORE UPDATE OR DELETE ON ledger_leg
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

DROP TRIGGER IF EXISTS ledger_transaction_immutable ON ledger_ledgertransaction;
CREATE TRIGGER ledger_transaction_immutable
    BEFORE UPDATE OR DELETE ON ledger_ledgertransaction
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
