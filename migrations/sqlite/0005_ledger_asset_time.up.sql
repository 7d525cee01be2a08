-- The liabilities history of a brand's asset (GET
-- /v1/brand/liabilities/history) sums an asset's ledger entries by time
-- bucket: read them by asset and time, not by scanning the whole ledger.
CREATE INDEX ledger_asset_time ON ledger_entries (asset_id, time);
